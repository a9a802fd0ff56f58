"""Named snapshots under /api/v1/snapshots: taking and deleting one needs a province_admin token; reading
needs none (aggregated figures only, like every other reporting GET)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response, status

from cds_plumbing.auth import Principal, Role, current_principal
from reporting.domain.slices import Slice
from reporting.entrypoints.http.models.snapshots import (
    SnapshotCreated,
    SnapshotDetail,
    SnapshotList,
    SnapshotName,
    SnapshotRequest,
    ViewName,
)
from reporting.entrypoints.http.params import Ctx
from reporting.entrypoints.http.registry import SNAPSHOT_VIEWS, VIEWS
from reporting.service_layer import snapshots

router = APIRouter(prefix="/api/v1/snapshots", tags=["snapshots"])


async def province_admin(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only a province_admin manages snapshots")
    return principal


Admin = Annotated[Principal, Depends(province_admin)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SnapshotCreated,
    summary="Freeze the report's views for a day and slice under a name",
    description=f"Views frozen: {', '.join(SNAPSHOT_VIEWS)}. 409 when the name is taken; a view's own error "
    "(e.g. 404 for a unit that does not exist on as_of) is answered as it is, and nothing is stored.",
)
async def take(response: Response, ctx: Ctx, body: SnapshotRequest, admin: Admin) -> dict[str, Any]:
    sl = Slice(body.unit_id, tuple(body.sectors), tuple(body.levels), body.former_province)
    views = []
    for view_name in SNAPSHOT_VIEWS:
        view = VIEWS[view_name]
        args, query = view.snapshot_query(body.as_of, sl)
        request = {"path": view.path, "query": [list(q) for q in query]}
        views.append(snapshots.ViewRead(view_name, request, partial(view.body, ctx, args)))
    try:
        created = await snapshots.take(
            ctx,
            views,
            name=body.name,
            title=body.title,
            note=body.note,
            as_of=body.as_of,
            sl=sl,
            created_by=admin.subject,
        )
    except snapshots.DuplicateSnapshotError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    response.headers["Location"] = f"/api/v1/snapshots/{body.name}"
    return created


@router.get("", response_model=SnapshotList, summary="Every snapshot, newest first")
async def list_snapshots(ctx: Ctx) -> dict[str, Any]:
    return await snapshots.list_snapshots(ctx)


@router.get("/{name}", response_model=SnapshotDetail, summary="A snapshot with every frozen view")
async def get_snapshot(ctx: Ctx, name: SnapshotName) -> dict[str, Any]:
    try:
        return await snapshots.get(ctx, name)
    except snapshots.SnapshotNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.get("/{name}/views/{view}", summary="One frozen view body, exactly as the view answered then")
async def get_frozen_view(ctx: Ctx, name: SnapshotName, view: ViewName) -> dict[str, Any]:
    try:
        return await snapshots.get_view(ctx, name, view)
    except snapshots.SnapshotNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a snapshot")
async def delete_snapshot(ctx: Ctx, name: SnapshotName, admin: Admin) -> Response:
    try:
        await snapshots.delete(ctx, name)
    except snapshots.SnapshotNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return Response(status_code=status.HTTP_204_NO_CONTENT)
