"""Create, read, update, delete and list for each kind of record; job moves are read-only.

No postponed annotations here: the routes are built per model in a loop, and FastAPI must
see each route's model as a real type, not as a name to look up later.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from api.deps import Reader, StoreDep, Writer, audit_persons
from api.schemas import ERRORS, Page
from graph_service import records
from graph_service.errors import Conflict
from graph_service.model import Company, Employment, Interaction, JobMove, Person, Record, Referral, Tie

ROUTES: list[tuple[str, str, str, type[Record]]] = [
    # entity, path, plural for operation ids, model
    ("person", "/people", "people", Person),
    ("company", "/companies", "companies", Company),
    ("employment", "/employments", "employments", Employment),
    ("tie", "/ties", "ties", Tie),
    ("interaction", "/interactions", "interactions", Interaction),
    ("referral", "/referrals", "referrals", Referral),
]

FILTER_HELP = {
    "person_id": "only records involving this person, in any role",
    "company_id": "only records at (or, for moves, from or to) this company",
    "current": "employments still open (true) or ended (false)",
    "internal": "persons on our team (true) or not (false)",
    "status": "companies with this status",
}

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


def _page(items: list[Record], limit: int) -> dict[str, Any]:
    return {"items": items, "next_cursor": items[-1].id if len(items) == limit else None}


def _add_routes(entity: str, path: str, plural: str, model: type[Record]) -> None:
    tag = plural

    @router.get(path, response_model=Page[model], operation_id=f"list_{plural}", tags=[tag])  # type: ignore[valid-type]
    def list_(request: Request, store: StoreDep, _: Reader, after: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              person_id: str | None = None, company_id: str | None = None, current: bool | None = None,
              internal: bool | None = None, status: str | None = None) -> dict[str, Any]:
        given = {"person_id": person_id, "company_id": company_id, "current": current, "internal": internal, "status": status}
        filters = {name: value for name, value in given.items() if value is not None}
        items = records.list_records(store=store, entity=entity, after=after, limit=limit, filters=filters)
        audit_persons(request, persons_in(entity, items))
        return _page(items, limit)

    @router.get(path + "/{id}", response_model=model, operation_id=f"get_{entity}", tags=[tag])
    def get(id: str, request: Request, store: StoreDep, _: Reader) -> Record:
        record = records.get_or_raise(store=store, entity=entity, id=id)
        audit_persons(request, persons_in(entity, [record]))
        return record

    if entity == "move":
        return

    @router.post(path, response_model=model, status_code=201, operation_id=f"create_{entity}", tags=[tag])
    def create(record: Annotated[model, Body()], store: StoreDep, _: Writer,  # type: ignore[valid-type]
               create_placeholders: bool = False) -> Record:
        if store.read(lambda tx: tx.existing_ids(entity, [record.id])):
            raise Conflict(f"{entity} {record.id!r} already exists; use PATCH to change it")
        records.save(store=store, entity=entity, records=[record], create_placeholders=create_placeholders)
        return record

    @router.patch(path + "/{id}", response_model=model, operation_id=f"update_{entity}", tags=[tag])
    def update(id: str, changes: Annotated[dict[str, Any], Body()], store: StoreDep, _: Writer) -> Record:
        return records.update(store=store, entity=entity, id=id, changes=changes)

    @router.delete(path + "/{id}", status_code=204, operation_id=f"delete_{entity}", tags=[tag])
    def delete(id: str, store: StoreDep, _: Writer) -> Response:
        records.delete(store=store, entity=entity, id=id)
        return Response(status_code=204)


for _route in ROUTES:
    _add_routes(*_route)
_add_routes("move", "/moves", "moves", JobMove)
