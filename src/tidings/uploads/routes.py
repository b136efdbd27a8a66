"""GET /_tidings/uploads/{key}/{name}: an uploaded file, to whoever has its URL."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import FromPath

from tidings.core.errors import not_found
from tidings.uploads import storage


class UploadsController(Controller):
    path = "/_tidings/uploads"
    include_in_schema = False

    @get("/{key:str}/{name:str}", operation_id="tidingsDownloadUpload")
    async def download(self, state: State, key: FromPath[str], name: FromPath[str]) -> Response[bytes]:
        tx = await state.storage.begin(write=False)
        try:
            row = await storage.find_upload(tx, key)
        finally:
            await tx.rollback()
        if row is None:
            raise not_found("Upload Not Found")
        return Response(
            content=bytes(row["data"]),
            media_type=row["content_type"],
            headers={
                "Content-Disposition": f'inline; filename="{row["name"]}"',
                "Cache-Control": "private",
                # The content type is the sender's word: never sniffed, never run as a page here.
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )
