"""Create, read, update, delete and list for each kind of record; job moves are read-only.

No postponed annotations here: the routes are built per model in a loop, and FastAPI must
see each route's model as a real type, not as a name to look up later.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from api.deps import Reader, StoreDep, Writer, audit_persons
from api.responses import json_response
from api.schemas import ERRORS, Page
from graph_service import records
from graph_service.access import Viewer, can_see, check_can_change
from graph_service.errors import Conflict, NotFound
from graph_service.store.base import FILTERS
from graph_service.model import Company, CompanyStatus, Employment, Interaction, JobMove, Person, Record, Referral, Tie

ROUTES: list[tuple[str, str, str, type[Record]]] = [
    # entity, path, plural for operation ids, model
    ("person", "/people", "people", Person),
    ("company", "/companies", "companies", Company),
    ("employment", "/employments", "employments", Employment),
    ("tie", "/ties", "ties", Tie),
    ("interaction", "/interactions", "interactions", Interaction),
    ("referral", "/referrals", "referrals", Referral),
]

FILTER_FIELDS: dict[str, tuple[type, str]] = {
    "person_id": (str, "only records involving this person, in any role"),
    "company_id": (str, "only records at (or, for moves, from or to) this company"),
    "current": (bool, "employments still open (true) or ended (false)"),
    "internal": (bool, "persons on our team (true) or not (false)"),
    "status": (CompanyStatus, "companies with this status"),
}


def filters_model(entity: str) -> type[BaseModel]:
    """The query parameters of one entity's list: the cursor, the page size and its own filters."""
    fields: dict[str, Any] = {
        "after": (str | None, Field(None, description="the next_cursor of the previous page")),
        "limit": (int, Field(100, ge=1, le=1000)),
    }
    for name in sorted(FILTERS[entity]):
        kind, help = FILTER_FIELDS[name]
        fields[name] = (kind | None, Field(None, description=help))
    return create_model(f"{entity.title()}ListQuery", __config__=ConfigDict(extra="forbid"), **fields)

router = APIRouter(responses=ERRORS)


def persons_in(entity: str, items: list[Record]) -> list[str]:
    """The persons whose data these records are, for the audit log."""
    found: list[str] = []
    for item in items:
        data: Any = item
        if entity == "person":
            found.append(data.id)
        else:
            found += [id for _, target, id in records.references(entity, item) if target == "person"]
            if entity == "move":
                found.append(data.person_id)
    return found


def _page(items: list[Record], limit: int, viewer: Viewer) -> dict[str, Any]:
    """The records the viewer may see; the cursor follows the stored page, so paging stays exact."""
    return {"items": [r for r in items if can_see(viewer, r)], "next_cursor": items[-1].id if len(items) == limit else None}


def _add_routes(entity: str, path: str, plural: str, model: type[Record]) -> None:
    tag = plural

    Query_ = filters_model(entity)

    @router.get(path, response_model=Page[model], operation_id=f"list_{plural}", tags=[tag])  # type: ignore[valid-type]
    def list_(request: Request, store: StoreDep, key: Reader, query: Annotated[Query_, Query()]) -> Response:  # type: ignore[valid-type]
        given = query.model_dump(exclude={"after", "limit"}, exclude_none=True)
        limit = query.limit
        items = records.list_records(store=store, entity=entity, after=query.after, limit=limit, filters=given)
        page = _page(items, limit, key.viewer())
        audit_persons(request, persons_in(entity, page["items"]))
        return json_response(Page[model](**page))

    @router.get(path + "/{id}", response_model=model, operation_id=f"get_{entity}", tags=[tag])
    def get(id: str, request: Request, store: StoreDep, key: Reader) -> Response:
        record = records.get_or_raise(store=store, entity=entity, id=id)
        if not can_see(key.viewer(), record):
            raise NotFound(entity, id)
        audit_persons(request, persons_in(entity, [record]))
        return json_response(record)

    if entity == "move":
        return

    @router.post(path, response_model=model, status_code=201, operation_id=f"create_{entity}", tags=[tag])
    def create(record: Annotated[model, Body()], store: StoreDep, key: Writer,  # type: ignore[valid-type]
               create_placeholders: bool = False) -> Response:
        if "owner" in model.model_fields and record.owner is None:
            record = record.model_copy(update={"owner": key.viewer().id})
        if store.read(lambda tx: tx.existing_ids(entity, [record.id])):
            raise Conflict(f"{entity} {record.id!r} already exists; use PATCH to change it")
        records.save(store=store, entity=entity, records=[record], create_placeholders=create_placeholders)
        return json_response(record, status_code=201)

    @router.patch(path + "/{id}", response_model=model, operation_id=f"update_{entity}", tags=[tag])
    def update(id: str, changes: Annotated[dict[str, Any], Body()], store: StoreDep, key: Writer) -> Response:
        check_can_change(key.viewer(), entity, records.get_or_raise(store=store, entity=entity, id=id))
        return json_response(records.update(store=store, entity=entity, id=id, changes=changes))

    @router.delete(path + "/{id}", status_code=204, operation_id=f"delete_{entity}", tags=[tag])
    def delete(id: str, store: StoreDep, key: Writer) -> Response:
        check_can_change(key.viewer(), entity, records.get_or_raise(store=store, entity=entity, id=id))
        records.delete(store=store, entity=entity, id=id)
        return Response(status_code=204)


for _route in ROUTES:
    _add_routes(*_route)
_add_routes("move", "/moves", "moves", JobMove)
