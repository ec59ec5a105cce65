"""Fetching a file an owner sent the bot: files.info, then the download with the bot token.

The type and size are checked from files.info before a byte is fetched, and the download is
cut off past the limit whatever the file claimed to be. Nothing here parses the file
(ingest/candidate.py does).
"""
from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from knowledge.catalog import safe_file_name
from knowledge.errors import PdbotError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SUFFIXES = (".docx", ".pdf", ".html", ".htm", ".md", ".txt", ".odt")
DOWNLOAD_TIMEOUT = 60.0
_CHUNK = 1 << 16


class UploadError(PdbotError):
    """An uploaded file that will not be used: its type, its size, or a failed download."""


def fetch_upload(client, file_id: str, bot_token: str, folder: Path) -> Path:
    """Download the Slack file `file_id` into `folder`; UploadError saying why it was refused."""
    info = client.files_info(file=file_id)["file"]
    name = info.get("name") or info.get("title") or file_id
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"{name} is {_kind(suffix)}: send the document as "
                          f"{', '.join(UPLOAD_SUFFIXES[:-2])} or {UPLOAD_SUFFIXES[-2]}.")
    size = int(info.get("size") or 0)
    if size > MAX_UPLOAD_BYTES:
        raise UploadError(f"{name} is {size / 2**20:.1f} MB; a document can be at most "
                          f"{MAX_UPLOAD_BYTES / 2**20:.0f} MB.")
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise UploadError(f"Slack gave no download address for {name}; send it again.")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_file_name(name)
    _download(url, bot_token, target, name)
    return target


def _download(url: str, bot_token: str, target: Path, name: str) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bot_token}"})
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response, \
                target.open("wb") as out:
            if "text/html" in (response.headers.get("Content-Type") or "") and \
                    target.suffix not in (".html", ".htm"):
                raise UploadError(f"Slack answered the download of {name} with a web page "
                                  "(the bot needs the files:read scope); nothing was changed.")
            for block in iter(lambda: response.read(_CHUNK), b""):
                received += len(block)
                if received > MAX_UPLOAD_BYTES:
                    raise UploadError(f"{name} is larger than {MAX_UPLOAD_BYTES / 2**20:.0f} MB; "
                                      "nothing was changed.")
                out.write(block)
    except (urllib.error.URLError, OSError) as exc:
        target.unlink(missing_ok=True)
        raise UploadError(f"Could not download {name} from Slack ({exc}); send it again.") from exc
    except UploadError:
        target.unlink(missing_ok=True)
        raise


def _kind(suffix: str) -> str:
    return f"a {suffix} file" if suffix else "a file with no type"
