"""Document owners in Slack: upload -> preview -> Publish / Discard / Roll back, against the Web
API stand-in with files (real signing, real HTTP, real downloads with the bearer token checked),
the real engine and a real index; and `pdbot versions` / `rollback` as a maintainer uses them."""
from __future__ import annotations

import json
import shutil
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from assistant.answer.engine import Engine
from assistant.slack.app import build_app
from assistant.slack.config import SlackSettings
from assistant.slack.feedback import FeedbackStore
from assistant.slack.owner_blocks import DISCARD, NEW_DOCUMENT_VIEW, PICK_DOCUMENT, PUBLISH, ROLLBACK
from assistant.slack.owners import NOT_AN_OWNER, USAGE_NOT_ATTACHED, OwnerWorkflow
from assistant.slack.server import start_http
from knowledge.index import indexes_dir, live_version_dir
from knowledge.settings import Settings, default_documents_dir
from knowledge.versions import history
from tests.files_standin import FilesStandIn
from tests.slack_standin import BOT_USER
from tests.test_slack import SECRET, TOKEN, event, mention, signed_post

OWNER, STAFF, DM = "UOWNER1", "USTAFF1", "DOWNER"
STRATEGY = default_documents_dir() / "camden-professional-development-strategy-current.txt"
BROKEN = Path(__file__).parent / "fixtures" / "real" / "broken"
COACHING_QUESTION = "How many coaching sessions do new headteachers get?"


@pytest.fixture
def owner_settings(tmp_path, built_settings) -> Settings:
    """A data directory of its own (a copy of the built index), since these tests publish."""
    data = tmp_path / "data"
    shutil.copytree(built_settings.data_dir, data)
    return Settings(data_dir=data)


@pytest.fixture
def files_api():
    with FilesStandIn(TOKEN) as api:
        yield api
        assert api.rejected == [], api.rejected  # every call was one Slack accepts


@pytest.fixture
def owner_app(owner_settings, embedder, files_api, tmp_path):
    """`pdbot slack` with SLACK_OWNERS set, served over HTTP on 127.0.0.1."""
    engine = Engine.from_settings(owner_settings, embedder=embedder)
    store = FeedbackStore(owner_settings.data_dir / "feedback.sqlite3")
    slack = SlackSettings(bot_token=TOKEN, signing_secret=SECRET, api_url=files_api.url,
                          owners=frozenset({OWNER}))
    app = build_app(engine, store, slack, owners=OwnerWorkflow(owner_settings, slack, engine, store))
    http = start_http(app)
    yield f"http://127.0.0.1:{http.effective_port}/slack/events", engine, store
    http.close()


def share(url: str, file_id: str, user: str = OWNER, event_id: str = "EvFile") -> int:
    body = event({"type": "message", "subtype": "file_share", "channel_type": "im", "channel": DM,
                  "user": user, "text": "", "ts": f"{time.time():.6f}",
                  "files": [{"id": file_id}]}, event_id)
    return signed_post(url, body)[0]


def click(url: str, action_id: str, value: str, user: str = OWNER, ts: str = "1.000001",
          response_url: str = "") -> int:
    payload = {"type": "block_actions", "user": {"id": user}, "channel": {"id": DM},
               "team": {"id": "T1"}, "trigger_id": "trig", "container": {"message_ts": ts},
               "message": {"ts": ts}, "response_url": response_url,
               "actions": [{"action_id": action_id, "value": value, "type": "button"}]}
    return signed_post(url, urlencode({"payload": json.dumps(payload)}),
                       "application/x-www-form-urlencoded")[0]


def messages(api) -> list[str]:
    """Every text the bot posted or updated in the owner's DM, oldest first."""
    return [json.dumps(c.body.get("blocks") or c.body.get("text"), ensure_ascii=False)
            for c in api.calls if c.method in ("chat.postMessage", "chat.update")]


def wait_for_text(api, needle: str, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in messages(api) if needle in m]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no message with {needle!r}; got {messages(api)[-3:]}")


def button(api, action_id: str) -> str:
    """The value of the newest button with `action_id` the bot sent."""
    for call in reversed(api.calls):
        for block in call.body.get("blocks") or []:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return element["value"]
    raise AssertionError(f"no {action_id} button sent")


def eight_sessions(tmp_path: Path, name: str = "strategy-2026.txt") -> Path:
    path = tmp_path / name
    text = STRATEGY.read_text()
    assert "six coaching sessions" in text
    path.write_text(text.replace("six coaching sessions", "eight coaching sessions"))
    return path


def coaching_answer(engine) -> str:
    return engine.answer(COACHING_QUESTION).answer


def test_upload_preview_publish_and_roll_back(owner_app, files_api, owner_settings, tmp_path):
    url, engine, _ = owner_app
    live_before = live_version_dir(owner_settings.data_dir).name
    file_id = files_api.add_file("strategy-2026.txt", eight_sessions(tmp_path).read_bytes())

    started = time.perf_counter()
    assert share(url, file_id) == 200
    preview = wait_for_text(files_api, PUBLISH)
    upload_to_preview = time.perf_counter() - started
    assert files_api.downloads == [(file_id, f"Bearer {TOKEN}")]  # fetched with the bot token
    assert "Sections changed (1)" in preview and "Coaching" in preview
    assert "before: " in preview and "six coaching sessions" in preview
    assert "eight coaching sessions" in preview
    assert "Before (live): fact recall" in preview and "After: fact recall" in preview
    assert "Eval cases citing changed sections" in preview
    candidate = button(files_api, PUBLISH)
    assert (indexes_dir(owner_settings.data_dir) / candidate / "source").is_dir()
    assert live_version_dir(owner_settings.data_dir).name == live_before  # not live yet
    assert "six" in coaching_answer(engine)

    started = time.perf_counter()
    assert click(url, PUBLISH, candidate) == 200
    wait_for_text(files_api, "published version")
    assert "eight" in coaching_answer(engine)
    publish_to_answer = time.perf_counter() - started
    assert live_version_dir(owner_settings.data_dir).name == candidate
    assert button(files_api, ROLLBACK) == live_before

    assert click(url, ROLLBACK, live_before) == 200
    wait_for_text(files_api, "Rolled back")
    assert "six" in coaching_answer(engine)
    events = [(e["event"], e["version"], e["by"]) for e in history(owner_settings.data_dir)]
    assert ("publish", candidate, OWNER) in events and ("rollback", live_before, OWNER) in events
    published = next(e for e in history(owner_settings.data_dir) if e["event"] == "publish"
                     and e["version"] == candidate)
    assert [f["file"] for f in published["files"]] == [
        "camden-professional-development-framework-2023-07.txt", "strategy-2026.txt"]
    print(f"\nupload -> preview {upload_to_preview:.1f}s; Publish -> first answer from the "
          f"new version {publish_to_answer:.2f}s")


def test_discard_removes_the_candidate_and_changes_nothing(owner_app, files_api, owner_settings,
                                                           tmp_path):
    url, engine, _ = owner_app
    live_before = live_version_dir(owner_settings.data_dir).name
    assert share(url, files_api.add_file("strategy.txt", eight_sessions(tmp_path).read_bytes())) == 200
    wait_for_text(files_api, PUBLISH)
    candidate = button(files_api, PUBLISH)
    assert click(url, DISCARD, candidate) == 200
    wait_for_text(files_api, "Discarded")
    assert not (indexes_dir(owner_settings.data_dir) / candidate).exists()
    assert live_version_dir(owner_settings.data_dir).name == live_before
    assert "six" in coaching_answer(engine)
    assert history(owner_settings.data_dir)[-1]["event"] == "discard"


def test_only_owners_can_upload_or_press_the_buttons(owner_app, files_api, owner_settings, tmp_path):
    url, engine, _ = owner_app
    live_before = live_version_dir(owner_settings.data_dir).name
    file_id = files_api.add_file("strategy.txt", eight_sessions(tmp_path).read_bytes())
    assert share(url, file_id, user=STAFF) == 200
    refusal = files_api.wait_for("chat.postMessage")[0]
    assert refusal.body["text"] == NOT_AN_OWNER
    time.sleep(0.5)
    assert files_api.called("files.info") == [] and files_api.downloads == []
    assert click(url, PUBLISH, live_before, user=STAFF, response_url=files_api.response_url) == 200
    assert "Only the document owners" in files_api.wait_for("response_url")[0].body["text"]
    assert [e["event"] for e in history(owner_settings.data_dir)] == ["publish"]


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(101):
                member.write(block)
    return path


def _bad_upload(kind: str, tmp_path: Path) -> tuple[str, bytes, int | None, str]:
    """(file name, bytes, size files.info reports, what the reply says)."""
    if kind == "too large":
        return "strategy.pdf", b"%PDF-1.7", 21 * 1024 * 1024, "at most 20 MB"
    if kind == "unknown type":
        return "strategy.xlsx", b"PK\x03\x04", None, "is a .xlsx file"
    if kind == "no sections":
        return "strategy.txt", b"July 2023\n", None, "no sections were found"
    if kind == "zip bomb":
        return ("strategy.docx", _zip_bomb(tmp_path / "bomb.docx").read_bytes(), None,
                "more than the 100 MB")
    name, says = {"encrypted pdf": ("encrypted.pdf", "password-protected"),
                  "image-only pdf": ("image-only.pdf", "has no text layer"),
                  "docx not a zip": ("not-a-zip.docx", "not a ZIP archive")}[kind]
    return name.replace(name.split(".")[0], "strategy"), (BROKEN / name).read_bytes(), None, says


@pytest.mark.parametrize("kind", ["too large", "unknown type", "encrypted pdf", "image-only pdf",
                                  "docx not a zip", "zip bomb", "no sections"])
def test_a_bad_upload_gets_one_clear_reply_and_changes_nothing(kind, owner_app, files_api,
                                                               owner_settings, tmp_path):
    url, engine, _ = owner_app
    live_before = live_version_dir(owner_settings.data_dir).name
    versions_before = sorted(p.name for p in indexes_dir(owner_settings.data_dir).iterdir())
    name, data, size, says = _bad_upload(kind, tmp_path)
    assert share(url, files_api.add_file(name, data, size)) == 200
    reply = wait_for_text(files_api, "othing was ")
    assert says in reply
    assert button_absent(files_api, PUBLISH)
    assert live_version_dir(owner_settings.data_dir).name == live_before
    assert sorted(p.name for p in indexes_dir(owner_settings.data_dir).iterdir()) == versions_before
    assert not (owner_settings.data_dir / "uploads" / "F0001").exists()
    assert "six" in coaching_answer(engine)


def button_absent(api, action_id: str) -> bool:
    try:
        button(api, action_id)
    except AssertionError:
        return True
    return False


def test_html_with_scripts_is_read_as_text_only(owner_app, files_api, owner_settings, tmp_path):
    url, engine, _ = owner_app
    html = ("<html><head><script>alert('pwned')</script></head><body>"
            + "".join(f"<p>{line}</p>" if not line.startswith("#") else
                      f"<h{line.count('#')}>{line.strip('# ')}</h{line.count('#')}>"
                      for line in eight_sessions(tmp_path).read_text().splitlines() if line.strip())
            + "<script>document.cookie</script></body></html>")
    assert share(url, files_api.add_file("strategy.html", html.encode())) == 200
    wait_for_text(files_api, PUBLISH)
    candidate = indexes_dir(owner_settings.data_dir) / button(files_api, PUBLISH)
    chunks = (candidate / "chunks.json").read_text()
    assert "eight coaching sessions" in chunks
    assert "alert" not in chunks and "document.cookie" not in chunks


def test_a_file_without_a_catalogue_id_asks_which_document_or_a_new_one(owner_app, files_api,
                                                                       owner_settings):
    url, engine, _ = owner_app
    text = ("# Coaching Handbook\n\n## Booking a coach\n\nStaff book a coach through the "
            "Camden Learning portal, at least two weeks before the first session.\n")
    file_id = files_api.add_file("handbook.md", text.encode())
    assert share(url, file_id) == 200
    menu = files_api.wait_for("chat.postMessage")[0]
    options = menu.body["blocks"][0]["accessory"]["options"]
    labels = [o["text"]["text"] for o in options]
    assert sorted(labels[:-1]) == ["Professional Development Framework (July 2023)",
                                   "Professional Development Strategy (current)"]
    assert labels[-1] == "A new document"
    pick = {"type": "block_actions", "user": {"id": OWNER}, "channel": {"id": DM},
            "team": {"id": "T1"}, "trigger_id": "trig", "message": {"ts": menu.body.get("ts", "1.1")},
            "actions": [{"action_id": PICK_DOCUMENT, "type": "static_select",
                         "selected_option": options[-1]}]}
    assert signed_post(url, urlencode({"payload": json.dumps(pick)}),
                       "application/x-www-form-urlencoded")[0] == 200
    modal = files_api.wait_for("views.open")[0].body["view"]
    assert modal["callback_id"] == NEW_DOCUMENT_VIEW and modal["private_metadata"] == file_id
    submit = {"type": "view_submission", "user": {"id": OWNER}, "team": {"id": "T1"},
              "view": {"type": "modal", "callback_id": NEW_DOCUMENT_VIEW, "private_metadata": file_id,
                       "state": {"values": {"title": {"value": {"value": "Coaching Handbook"}},
                                            "date": {"value": {"value": "September 2026"}}}}}}
    assert signed_post(url, urlencode({"payload": json.dumps(submit)}),
                       "application/x-www-form-urlencoded")[0] == 200
    preview = wait_for_text(files_api, PUBLISH)
    assert "Documents added (1)" in preview and "Coaching Handbook" in preview
    assert click(url, PUBLISH, button(files_api, PUBLISH)) == 200
    wait_for_text(files_api, "published version")
    answer = engine.answer("How do I book a coach?")
    assert "portal" in answer.answer
    assert any(c.document == "Coaching Handbook" and c.date == "September 2026"
               for c in answer.citations)


def test_a_question_sent_during_a_publish_is_answered(owner_app, files_api, owner_settings,
                                                       tmp_path):
    url, engine, _ = owner_app
    assert share(url, files_api.add_file("strategy.txt", eight_sessions(tmp_path).read_bytes())) == 200
    wait_for_text(files_api, PUBLISH)
    candidate = button(files_api, PUBLISH)
    posted_before = len(files_api.called("chat.postMessage"))
    statuses = []

    def ask_repeatedly():
        for n in range(6):
            statuses.append(signed_post(url, mention(COACHING_QUESTION, ts=f"17000001{n}.000001",
                                                     event_id=f"EvDuring{n}"))[0])
            time.sleep(0.05)

    asker = threading.Thread(target=ask_repeatedly)
    asker.start()
    assert click(url, PUBLISH, candidate) == 200
    asker.join()
    assert statuses == [200] * 6
    answers = files_api.wait_for("chat.postMessage", posted_before + 6)[posted_before:]
    texts = [a.body["text"] for a in answers if a.body.get("thread_ts")]
    assert len(texts) == 6 and all("six" in t or "eight" in t for t in texts)
    wait_for_text(files_api, "published version")
    assert "eight" in coaching_answer(engine)


def test_an_owner_asks_for_usage_and_gets_the_report(owner_app, files_api):
    url, engine, store = owner_app
    for question in ("What is the HLTA salary?", "What should an HLTA do next?"):
        store.record_answer(engine.answer(question), [], "C1", "U9")
    body = event({"type": "message", "channel_type": "im", "channel": DM, "user": OWNER,
                  "text": "usage", "ts": "1700000100.000001"}, "EvUsage")
    assert signed_post(url, body)[0] == 200
    complete = files_api.wait_for("files.completeUploadExternal")[0]
    comment = complete.body.get("initial_comment", "")
    assert "2 questions, 1 answered" in comment and "\N{THUMBS UP SIGN}" in comment  # Slack keeps emoji
    assert "1 question like \u201cWhat is the HLTA salary?\u201d" in comment  # the refused, in the message
    assert "sections of the live documents" in comment
    assert files_api.uploaded and b"<html" in files_api.uploaded[0]
    assert "\N{THUMBS UP SIGN}".encode() not in files_api.uploaded[0]  # words in the page
    assert files_api.called("chat.postMessage") == []  # not answered as a question


def test_the_usage_figures_arrive_when_slack_refuses_the_attachment(owner_app, files_api):
    url, engine, store = owner_app
    store.record_answer(engine.answer("What is the HLTA salary?"), [], "C1", "U9")
    files_api.errors["files.getUploadURLExternal"] = "missing_scope"
    body = event({"type": "message", "channel_type": "im", "channel": DM, "user": OWNER,
                  "text": "usage 7", "ts": "1700000100.000002"}, "EvUsageNoFile")
    assert signed_post(url, body)[0] == 200
    text = files_api.wait_for("chat.postMessage")[0].body["text"]
    assert "Last 7 days" in text and "1 question like" in text and USAGE_NOT_ATTACHED in text


# --- the maintainer's commands ---------------------------------------------------------------

def run_cli(capsys, *args) -> str:
    from assistant.cli import main

    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_versions_and_rollback_from_the_command_line(tmp_path, monkeypatch, capsys):
    documents = tmp_path / "documents"
    shutil.copytree(default_documents_dir(), documents)
    monkeypatch.setenv("PDBOT_DATA_DIR", str(tmp_path / "data"))
    first = run_cli(capsys, "ingest", str(documents))
    assert len(first.strip().splitlines()) == 3  # quiet first run: one line per document, a total
    assert first.startswith("Professional Development Framework (July 2023): ")
    (documents / STRATEGY.name).write_text(
        STRATEGY.read_text().replace("six coaching sessions", "eight coaching sessions"))
    changed = run_cli(capsys, "ingest", str(documents))
    assert "Sections changed (1)" in changed and "after:  " in changed
    assert "eight" in json.loads(run_cli(capsys, "ask", "--json", COACHING_QUESTION))["answer"]

    rows = json.loads(run_cli(capsys, "versions", "--json"))
    assert [r["live"] for r in rows] == [True, False]
    assert rows[0]["published_by"] == "cli" and rows[0]["changes"]["sections_changed"]
    assert {d["file"] for d in rows[0]["documents"]} == {
        "camden-professional-development-framework-2023-07.txt", STRATEGY.name}
    assert all(len(d["sha1"]) == 40 for d in rows[0]["documents"])

    assert rows[1]["version"] in run_cli(capsys, "rollback")
    assert "six" in json.loads(run_cli(capsys, "ask", "--json", COACHING_QUESTION))["answer"]
    after = json.loads(run_cli(capsys, "versions", "--json"))
    assert after[1]["live"] and after[1]["rolled_back_to"][0]["by"] == "cli"
    table = run_cli(capsys, "versions")
    assert rows[0]["version"][:15] in table and "cli" in table


def test_usage_report_over_stored_answers(tmp_path, capsys, monkeypatch, engine):
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    refused = ["What is the HLTA salary?", "How much is an HLTA paid?", "HLTA pay scale?"]
    for question in refused + ["What should an HLTA do next?"]:
        answer_id = store.record_answer(engine.answer(question), [], "C1", "U1")
    store.record_vote(answer_id, "U2", "down", "too long")
    monkeypatch.setenv("PDBOT_DATA_DIR", str(tmp_path / "data"))
    out = run_cli(capsys, "usage", "--days", "30", "--out", str(tmp_path / "report"))
    assert "4 questions" in out and "helpful 0, not helpful 1" in out
    markdown = (tmp_path / "report" / "report.md").read_text()
    assert "too long" in markdown and "HLTA salary" in markdown
    html = (tmp_path / "report" / "report.html").read_text()
    assert "<svg" in html and 'src="http' not in html and "<link" not in html  # self-contained


HANDBOOK = ("# Coaching Handbook\n\n## Booking a coach\n\nStaff book a coach through the Camden "
            "Learning portal, at least two weeks before the first session.\n")
TWO_PART_QUESTION = ("How many coaching sessions do new headteachers get, and how do I book a "
                     "coach?")


def versions_cited(message: dict) -> set[str]:
    """Which versions an answer's text and quotes come from: "old" (six sessions, no handbook)
    or "new" (eight sessions and the Coaching Handbook)."""
    text = json.dumps(message.get("blocks") or message.get("text"), ensure_ascii=False)
    found = set()
    if "six coaching sessions" in text:
        found.add("old")
    if "eight coaching sessions" in text or "Coaching Handbook" in text:
        found.add("new")
    return found


def test_publishing_while_answering_every_answer_cites_one_version(owner_app, files_api,
                                                                   owner_settings, embedder,
                                                                   tmp_path):
    from ingest.candidate import NEW_DOCUMENT, prepare_candidate
    from ingest.pipeline import publish_version

    url, engine, _ = owner_app
    old = live_version_dir(owner_settings.data_dir).name
    eight = prepare_candidate(owner_settings, eight_sessions(tmp_path), tmp_path / "w1",
                              "strategy", OWNER, embedder)
    publish_version(owner_settings, eight.version, OWNER)
    (tmp_path / "handbook.md").write_text(HANDBOOK)
    new = prepare_candidate(owner_settings, tmp_path / "handbook.md", tmp_path / "w2",
                            NEW_DOCUMENT, OWNER, embedder, title="Coaching Handbook",
                            date="September 2026").version  # eight sessions and a handbook
    publish_version(owner_settings, old, OWNER, event="rollback")
    engine.refresh()
    threads = [f"17000030{i:02d}.000001" for i in range(20)]

    def ask_all() -> None:
        for i, ts in enumerate(threads):
            assert signed_post(url, mention(TWO_PART_QUESTION, ts=ts,
                                            event_id=f"EvTwo{i}"))[0] == 200
            time.sleep(0.3)

    asker = threading.Thread(target=ask_all)
    asker.start()
    time.sleep(1.0)  # a few questions answered from the old version, then Publish the new
    assert click(url, PUBLISH, new, ts="2.000001") == 200
    asker.join()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answers = {c.body["thread_ts"]: c.body for c in files_api.called("chat.postMessage")
                   if c.body.get("thread_ts") in threads}
        if len(answers) == len(threads):
            break
        time.sleep(0.1)
    assert len(answers) == len(threads)
    assert not [m["text"] for m in answers.values() if "went wrong" in m["text"]]
    cited = [versions_cited(m) for m in answers.values()]
    print(f"\nversions cited by 20 answers during a publish: {[sorted(c) for c in cited]}")
    assert all(len(c) == 1 for c in cited), cited  # never six sessions beside the handbook
    assert {"old", "new"} <= set().union(*cited)  # both versions answered: they did overlap
