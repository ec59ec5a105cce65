"""`pdbot chat`: a terminal conversation that passes earlier turns to the engine."""
from __future__ import annotations

from assistant.errors import InputError
from assistant.output import format_answer
from assistant.answer.query import Turn

MAX_TURNS = 10  # earlier turns kept as history


def run_chat(engine, read=input, write=print) -> int:
    """Read questions until EOF, "exit" or "quit"; answer each with the conversation so far."""
    write("Ask about Camden's professional development. Type 'exit' to leave.")
    history: list[Turn] = []
    while True:
        try:
            question = read("you> ")
        except EOFError:
            write("")
            return 0
        if question.strip().lower() in ("exit", "quit"):
            return 0
        try:
            answer = engine.answer(question, history[-MAX_TURNS:])
        except InputError as exc:
            write(str(exc))
            continue
        write(format_answer(answer))
        history += [Turn("user", question), Turn("assistant", answer.answer)]
