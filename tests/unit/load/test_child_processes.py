"""Processes drillbook starts: their mark, how the reaper finds them, and that they die with it.

The /proc parsing runs on a made-up /proc tree; the parent-death and ending tests start real
`sleep` processes (no Docker) and end every one they start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook.stack import labels, reaper
from drillbook.stack.labels import ProcessMark
from tests.processes import alive, gone_within, left_behind, python

OWN_NS = "pid:[4026531836]"


# -- the mark -------------------------------------------------------------------------------
def environ(**env: str) -> bytes:
    return b"".join(f"{k}={v}".encode() + b"\0" for k, v in env.items())


def test_a_mark_names_its_owner_and_run() -> None:
    env = environ(PATH="/bin", DRILLBOOK_OWNER="4242:987654", DRILLBOOK_RUN="ab12")
    assert labels.read_mark(77, env) == ProcessMark(77, 4242, 987654, "ab12")


def test_a_mark_without_a_run() -> None:
    assert labels.read_mark(77, environ(DRILLBOOK_OWNER="4242:5")) == ProcessMark(77, 4242, 5, None)


@pytest.mark.parametrize(
    "env",
    [
        environ(PATH="/bin", HOME="/root"),  # any other process
        environ(DRILLBOOK_RUN="ab12"),  # a run but no owner
        environ(DRILLBOOK_OWNER="4242"),  # no start time
        environ(DRILLBOOK_OWNER="me:5"),
        environ(XDRILLBOOK_OWNER="4242:5"),  # only a longer name
        b"",  # a kernel thread or a zombie
    ],
)
def test_no_mark_no_process_of_ours(env: bytes) -> None:
    assert labels.read_mark(77, env) is None


def test_this_process_marks_itself_with_its_pid_and_start_time() -> None:
    marks = labels.process_marks("ab12")
    mark = labels.read_mark(1, environ(**marks))
    assert mark is not None
    assert (mark.owner_pid, mark.run_id) == (os.getpid(), "ab12")
    stat = Path(f"/proc/{os.getpid()}/stat").read_text()
    assert mark.owner_start == int(stat.rsplit(")", 1)[1].split()[19])
    assert labels.process_owner_alive(mark)


# -- a made-up /proc ----------------------------------------------------------------------
def stat_line(pid: int, name: str, start: int) -> str:
    # proc(5): pid (comm) state ppid ... field 22 is the start time
    fields = ["S", "1", *["0"] * 17, str(start), "0"]
    return f"{pid} ({name}) {' '.join(fields)}\n"


def fake_process(
    proc: Path, pid: int | str, env: bytes, start: int = 100, ns: str = OWN_NS
) -> None:
    d = proc / str(pid)
    (d / "ns").mkdir(parents=True)
    (d / "ns" / "pid").symlink_to(ns)  # readlink is all that is asked of it
    (d / "environ").write_bytes(env)
    (d / "stat").write_text(stat_line(pid if isinstance(pid, int) else 1, "a) (b c", start))


@pytest.fixture
def proc(tmp_path: Path) -> Path:
    fake_process(tmp_path, "self", b"")
    return tmp_path


def test_start_time_is_read_past_a_command_name_with_parentheses(proc: Path) -> None:
    fake_process(proc, 300, b"", start=123456)
    assert labels.start_time(300, proc) == 123456
    assert labels.start_time(301, proc) is None


def test_only_marked_processes_of_our_pid_namespace_are_found(proc: Path) -> None:
    fake_process(proc, 10, environ(DRILLBOOK_OWNER="9:50", DRILLBOOK_RUN="r1"))
    fake_process(proc, 11, environ(PATH="/bin"))
    fake_process(proc, 12, environ(DRILLBOOK_OWNER="9:50"), ns="pid:[4026532999]")
    fake_process(proc, 13, environ(DRILLBOOK_OWNER="9:50"))
    (proc / "sys").mkdir()
    assert sorted(reaper.marked_processes(proc), key=lambda m: m.pid) == [
        ProcessMark(10, 9, 50, "r1"),
        ProcessMark(13, 9, 50, None),
    ]


def test_an_owner_is_alive_only_with_its_own_start_time(proc: Path) -> None:
    fake_process(proc, 9, b"", start=50)
    assert labels.process_owner_alive(ProcessMark(10, 9, 50, None), proc)
    # same pid, later process: the owner is gone and its pid was reused
    assert not labels.process_owner_alive(ProcessMark(10, 9, 49, None), proc)
    assert not labels.process_owner_alive(ProcessMark(10, 8, 50, None), proc)


# -- real processes -----------------------------------------------------------------------
@pytest.fixture
def started() -> Iterator[list[int]]:
    """Pids the test started: killed at the end whatever happened."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_tethered_children_die_with_a_killed_parent_also_from_a_worker_thread(
    started: list[int],
) -> None:
    parent = python(
        """
        import os, sys, threading, time
        from drillbook.load import tether
        pids = []
        def run():
            pids.append(tether.start(["sleep", "60"], env=os.environ, stdout=sys.stderr.buffer).pid)
            time.sleep(0.5)  # long enough for the child to have asked for its signal
        run()  # the main thread
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()  # the thread is gone; its child must not be
        print(*pids, flush=True)
        threading.Event().wait()
        """
    )
    assert parent.stdout is not None
    children = [int(p) for p in parent.stdout.readline().split()]
    started.extend(children)
    assert len(children) == 2
    time.sleep(0.3)  # the worker thread has ended before its pids were printed
    assert all(alive(p) for p in children)
    parent.kill()  # SIGKILL: no finalizer runs
    parent.wait()
    after = gone_within(dict.fromkeys(children), timeout_s=5)
    assert after is not None, "a tethered child outlived its killed parent"
    print(f"tethered children gone {after * 1000:.0f} ms after the parent's SIGKILL")


def test_orphans_of_a_dead_owner_are_ended_and_nothing_else(started: list[int]) -> None:
    run = uuid.uuid4().hex[:10]
    orphan = left_behind(run)  # a marked process whose owner is gone
    started.append(orphan)
    # ...one whose owner (this process) lives, and one without a mark.
    live = subprocess.Popen(["sleep", "60"], env={**os.environ, **labels.process_marks(run)})
    unmarked = subprocess.Popen(["sleep", "60"])
    started.extend([live.pid, unmarked.pid])

    ours = {m.pid: m for m in reaper.marked_processes() if m.run_id == run}
    assert set(ours) == {orphan, live.pid}
    assert not labels.process_owner_alive(ours[orphan])
    assert labels.process_owner_alive(ours[live.pid])

    ended = reaper.end_processes(lambda m: m.run_id == run and not labels.process_owner_alive(m))
    assert ended == 1
    assert gone_within({orphan: None}, timeout_s=5) is not None
    assert live.poll() is None and unmarked.poll() is None
    live.kill()
    unmarked.kill()
    live.wait()
    unmarked.wait()
