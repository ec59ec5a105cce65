"""The Slack Web API stand-in with files: files.info, the private download (bearer token
checked, as Slack does: without it Slack answers with its sign-in web page), and the
files_upload_v2 steps (files.getUploadURLExternal, the upload URL, files.completeUploadExternal)."""
from __future__ import annotations

import itertools

from tests.slack_standin import SlackStandIn


class FilesStandIn(SlackStandIn):
    def __init__(self, bot_token: str):
        self.bot_token = bot_token
        self.files: dict[str, dict] = {}  # id -> name, data, size
        self.downloads: list[tuple[str, str]] = []  # (file id, Authorization header)
        self.uploaded: list[bytes] = []  # bytes posted to upload URLs
        self._ids = itertools.count(1)
        super().__init__()

    def add_file(self, name: str, data: bytes, size: int | None = None) -> str:
        """Hold a file as if a user had shared it; `size` overrides what files.info reports."""
        file_id = f"F{next(self._ids):04d}"
        self.files[file_id] = {"name": name, "data": data,
                               "size": len(data) if size is None else size}
        return file_id

    def _answer(self, method: str, body: dict, token: str = ""):
        status, headers, payload = super()._answer(method, body, token)  # records the call
        if status != 200 or method in self.errors:  # a rate limit or a set error wins
            return status, headers, payload
        return status, headers, self._files_api(method, body) or payload

    def _files_api(self, method: str, body: dict) -> dict | None:
        if method == "files.info":
            found = self.files.get(body.get("file", ""))
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            url = f"{self.root}/files-pri/T1-{body['file']}/download/{found['name']}"
            return {"ok": True, "file": {"id": body["file"], "name": found["name"],
                                         "size": found["size"], "url_private": url,
                                         "url_private_download": url}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "file_id": "FUPLOAD", "upload_url": f"{self.root}/upload/FUPLOAD"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "FUPLOAD"}]}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "DOWNER"}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        return None

    def _handler(self):
        standin = self
        base = super()._handler()

        class Handler(base):
            def do_GET(self):
                if not self.path.startswith("/files-pri/"):
                    return base.do_POST(self)
                file_id = self.path.split("/")[2].split("-", 1)[1]
                auth = self.headers.get("Authorization") or ""
                standin.downloads.append((file_id, auth))
                found = standin.files.get(file_id)
                if auth != f"Bearer {standin.bot_token}" or found is None:
                    self._send(200, b"<html>Sign in to Slack</html>", "text/html")
                    return
                self._send(200, found["data"], "application/octet-stream")

            def do_POST(self):
                if self.path.startswith("/upload/"):
                    standin.uploaded.append(self.read_body())
                    self._send(200, b"OK", "text/plain")
                    return
                base.do_POST(self)

            def _send(self, status: int, data: bytes, content_type: str):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
