"""Graph views: a *view graph* in, a small self-contained HTML page (or an export) out.

Pure rendering: no database access; never imports ``api`` or ``graph_service.store``.

The view graph
--------------
An ``nx.Graph`` (or ``nx.DiGraph`` when direction means something: warm paths,
talent flow) built by :mod:`visualize.views` from plain data. Node ids are
namespaced strings (``p:<person id>``, ``c:<company id>``, ``more:<hub id>``).

Graph attributes
    ``view`` (``paths`` | ``network`` | ``account`` | ``talent_flow``),
    ``title`` (str), ``subtitle`` (str, optional), ``params`` (dict of the
    view's query parameters), ``hierarchical`` (bool: draw by ``level``).

Node attributes
    ``label`` (str, required), ``kind`` (``person`` | ``company`` | ``summary``),
    ``ref`` (the domain id), ``internal`` (bool: on our team), ``layer``
    (a ``DecisionLayer`` value or None), ``status`` (a ``CompanyStatus`` value,
    companies), ``influence`` (float in [0, 1] or None), ``title`` (job title),
    ``company`` (company name, persons), ``role`` (``start`` | ``target`` |
    ``center`` or None: drawn with a thick border), ``level`` (int, hierarchical
    views), ``hidden_count`` (int, summary nodes), ``tooltip`` (extra plain text).

Edge attributes
    ``kind`` (``tie`` | ``employment`` | ``move`` | ``summary``), ``strength``
    (float in (0, 1] or None), ``evidence`` (plain text: why the edge exists;
    shown as the tooltip), ``label`` (short text drawn on the edge, optional),
    ``hop`` (bool: an introduction hop on a warm path), ``weight`` (int: number
    of job moves, talent flow).

All text is plain text: the page escapes it (legend, headings) or hands it to
vis-network, which draws labels on a canvas and shows tooltips with
``innerText``; never HTML.
"""
