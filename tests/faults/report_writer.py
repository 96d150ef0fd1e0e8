"""The writers the SQLite kill test SIGKILLs: red symptom reports through the app's own service.

`python -m tests.faults.report_writer DATABASE_URL PATIENT_ID` imports the app and builds it once,
then forks a writer on each `fork` line of its input and SIGKILLs it on each `kill` line, so that
each of the test's many writers starts in milliseconds instead of seconds of imports (the app's
engine pools are reset in the child, as for `gunicorn --preload`). Each writer writes one report
per transaction (the report, its audit event and two outbox rows) for ever. A shared counter says
how many reports the writer had begun, so the test can tell whether a kill landed inside one.

Answers, one line each: `ready`, `forked PID`, `killed EXIT_CODE BEGUN`.
"""

from __future__ import annotations

import mmap
import os
import signal
import struct
import sys
import traceback

from flask import Flask
from sqlalchemy.orm import configure_mappers

from companion.app import create_app
from companion.db import db
from companion.enrolment.models import Patient
from companion.symptoms.service import submit_report
from companion.timestamps import utcnow
from tests.symptom_reports import ANSWERS_OF

RED_ANSWERS = ANSWERS_OF["red"]
COUNTER = struct.Struct("q")


def write_reports_until_killed(app: Flask, patient_id: int, begun: mmap.mmap) -> None:
    """One report per transaction, for ever; `begun` counts the reports begun."""
    with app.app_context():
        while True:
            COUNTER.pack_into(begun, 0, COUNTER.unpack_from(begun)[0] + 1)
            patient = db.session.get(Patient, patient_id)
            submit_report(db.session, patient, RED_ANSWERS, "web", utcnow())
            db.session.commit()


def serve(database_url: str, patient_id: int) -> None:
    """Answer `fork` and `kill` lines from the test until its input closes."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    configure_mappers()  # once here, not in every writer
    begun = mmap.mmap(-1, COUNTER.size)  # shared with the forked writers
    writer = 0
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "fork":
            COUNTER.pack_into(begun, 0, 0)
            writer = os.fork()
            if writer == 0:
                try:
                    write_reports_until_killed(app, patient_id, begun)
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(1)  # a writer that stops on its own is a failure the test sees
            print(f"forked {writer}", flush=True)
        elif line.strip() == "kill":
            os.kill(writer, signal.SIGKILL)
            _pid, status = os.waitpid(writer, 0)
            exit_code = os.waitstatus_to_exitcode(status)
            print(f"killed {exit_code} {COUNTER.unpack_from(begun)[0]}", flush=True)
            writer = 0
    if writer:
        os.kill(writer, signal.SIGKILL)
        os.waitpid(writer, 0)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
