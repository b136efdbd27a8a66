from __future__ import annotations

from litestar import Controller, MediaType, Response, delete, get, post
from litestar.params import FromPath, JSONBody

from tidings.core.deps import Uow
from tidings.tags import bulk, service
from tidings.tags.schemas import CreateOrUpdateTagRequest, TagList, TagOut


class TagsController(Controller):
    path = "/tags"
    tags = ["Tags"]

    @get("/", operation_id="listTags")
    async def list_tags(self, uow: Uow) -> TagList:
        return await service.list_all(uow)

    @post("/", operation_id="createTag", status_code=200)
    async def create_tag(self, data: JSONBody[CreateOrUpdateTagRequest], uow: Uow) -> TagOut:
        return await bulk.create_or_update(uow, data)

    @get("/{tag_id:str}", operation_id="findTag")
    async def find_tag(self, tag_id: FromPath[str], uow: Uow) -> TagOut:
        return await service.get(uow, tag_id)

    @delete("/{tag_id:str}", operation_id="deleteTag", status_code=200)
    async def delete_tag(self, tag_id: FromPath[str], uow: Uow) -> Response[bytes]:
        await service.delete(uow, tag_id)
        # The spec documents no body for this 200 (Litestar would write `null` for None).
        return Response(b"", status_code=200, media_type=MediaType.JSON)
