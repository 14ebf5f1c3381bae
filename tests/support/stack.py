"""Start the stack as the Procfile does, on free ports, and watch its processes.

Conversation tests and `make bench` both use this, so what they exercise is
what `make run` starts: the same Procfile lines, each in its own process so
that its memory can be read. A stock `rasa init` bot starts the same way for
the baseline.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shlex
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile"
MODEL = ROOT / "models" / "wismo.tar.gz"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
START_TIMEOUT = 300.0
LEADING_ASSIGNMENTS = re.compile(r"((?:\w+=\S*\s+)*)(.*)", re.DOTALL)
# A one-time code mail as the development mailbox logs it: its subject, then its body.
ONE_TIME_CODE_MAIL = re.compile(
    r"^Mail to [^\n]*: [^\n]*\border (?P<order>\S+)\n(?:(?!Mail to )[^\n]*\n)*?"
    r"[^\n]*one-time code is (?P<code>\d{6})\b",
    re.MULTILINE,
)


class StackFailed(RuntimeError):
    """A process of the stack exited, or the stack did not answer in time."""


@contextmanager
def serving(
    command: Sequence[str], env: Mapping[str, str], ready_url: str, log: Path, timeout: float = 120
) -> Iterator[subprocess.Popen[bytes]]:
    """One server process (its output in `log`), once `ready_url` answers; stopped after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(command), cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                assert proc.poll() is None, f"{command[0]} exited:\n{_tail(log)}"
                assert time.monotonic() < deadline, f"{command[0]} did not start:\n{_tail(log)}"
                try:
                    if requests.get(ready_url, timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.25)
            yield proc
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


# Below Linux's ephemeral range (32768-60999): a port the kernel hands to an outgoing
# connection (a load client opens thousands) can never be the one a server is about to take.
LISTEN_PORTS = range(20_000, 32_000)


def free_port() -> int:
    """A port on the loopback nobody listens on now, outside the ephemeral range."""
    for _ in range(200):
        port = random.choice(LISTEN_PORTS)  # noqa: S311 (not a secret)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise StackFailed("no free port below the ephemeral range")


def procfile(path: Path = PROCFILE) -> dict[str, str]:
    """The Procfile's processes: name -> shell command."""
    lines = (line.partition(":") for line in path.read_text().splitlines())
    return {name.strip(): command.strip() for name, sep, command in lines if sep}


def peak_rss_mib(pid: int) -> float:
    """The most memory the process and its children have held (the kernel's VmHWM).

    A server may be a manager with worker processes (rasa-sdk's Sanic is): the
    figure is the sum over the tree, an upper bound of its peak together.
    """
    return sum(_vm_hwm_kib(p) for p in [pid, *descendants(pid)]) / 1024


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) the process and its children have used so far."""
    return sum(_cpu_ticks(p) for p in [pid, *descendants(pid)]) / os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, IndexError):  # it ended meanwhile
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def _vm_hwm_kib(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:  # it ended meanwhile
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmHWM:")), 0)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


@dataclass
class Stack:
    """Running processes and the REST address of the bot they make."""

    base_url: str
    env: dict[str, str]
    workdir: Path
    cwd: Path = ROOT
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, IO[bytes]] = field(default_factory=dict)
    # One HTTP session per sender: the REST channel's session cookie goes with it.
    sessions: dict[str, requests.Session] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        """The web process: the demo store with the widget."""
        return f"http://127.0.0.1:{self.env['WEB_PORT']}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    def start(self, name: str, command: str) -> None:
        if name in self.logs:  # a restart: keep what the last one wrote
            self.logs[name].close()
        log = self.logs[name] = (self.workdir / f"{name}.log").open("ab")
        # `exec` makes the shell become the process, so its pid is the server's.
        assignments, rest = LEADING_ASSIGNMENTS.match(command).groups()  # type: ignore[union-attr]
        self.procs[name] = subprocess.Popen(
            ["bash", "-c", f"{assignments}exec {rest}"],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    tail = (self.workdir / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise StackFailed(f"{name} exited ({proc.returncode}) while {what}:\n{tail}")
            try:
                if check():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise StackFailed(f"timed out while {what}")

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict[str, object]]:
        """One message of `sender`'s, in that sender's session; the bot's replies."""
        session = self.sessions.setdefault(sender, requests.Session())
        response = session.post(
            self.rest_url, json={"sender": sender, "message": text}, timeout=timeout
        )
        response.raise_for_status()
        replies: list[dict[str, object]] = response.json()
        return replies

    def wait_for_first_answer(self, text: str = "hi", timeout: float = START_TIMEOUT) -> float:
        """Seconds until the bot answers its first message."""
        started = time.monotonic()
        self.wait_until(
            lambda: requests.get(f"{self.base_url}/", timeout=2).ok, timeout, "starting Rasa"
        )
        self.wait_until(lambda: self.say("first-answer", text) != [], 60, "waiting for an answer")
        return time.monotonic() - started

    def peak_rss_mib(self) -> dict[str, float]:
        return {name: peak_rss_mib(proc.pid) for name, proc in self.procs.items()}

    def cpu_seconds(self) -> dict[str, float]:
        """Each process's CPU time so far (with its children's), by Procfile name."""
        return {name: cpu_seconds(proc.pid) for name, proc in self.procs.items()}

    def one_time_codes(self, order_number: str) -> list[str]:
        """Every one-time code the development mailbox received for an order, oldest first.

        The mailbox logs each mail as "Mail to <email>: <subject>" and its body; a code's
        subject names the order ("... code for order WM-104313").
        """
        log = self.workdir / "mail.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return [
            found.group("code")
            for found in ONE_TIME_CODE_MAIL.finditer(text)
            if found.group("order") == order_number
        ]

    def last_code(self, order_number: str, newer_than: int = 0, timeout: float = 10) -> str:
        """The last one-time code mailed for an order, once more than `newer_than` were."""
        codes: list[str] = []

        def arrived() -> bool:
            codes[:] = self.one_time_codes(order_number)
            return len(codes) > newer_than

        self.wait_until(arrived, timeout, f"waiting for a one-time code for {order_number}")
        return codes[-1]

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.logs.values():
            log.close()
        for session in self.sessions.values():
            session.close()


def wismo_env(workdir: Path, overrides: Mapping[str, str] = {}) -> dict[str, str]:
    """The environment of a stack on free ports with its own SQLite database and secret."""
    names = ("SANDBOX_PORT", "ACTIONS_PORT", "RASA_PORT", "SMTP_PORT", "WEB_PORT", "FAKES_PORT")
    ports: dict[str, int] = {}
    while len(set(ports.values())) < len(names):  # distinct, though each was free alone
        ports = {name: free_port() for name in names}
    rasa, fakes = (
        f"http://127.0.0.1:{ports['RASA_PORT']}",
        f"http://127.0.0.1:{ports['FAKES_PORT']}",
    )
    return {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "DATABASE_URL": f"sqlite:///{workdir / 'wismo.db'}",
        # Rasa's event broker writes here; `wismo events` copies it into the store above.
        "EVENTS_DB": str(workdir / "events.db"),
        "WHATSAPP_WINDOW_DB": str(workdir / "whatsapp-window.db"),
        "EASYPOST_API_URL": f"http://127.0.0.1:{ports['SANDBOX_PORT']}/v2",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "WISMO_SECRET": secrets.token_hex(32),
        # The widget's page is the web process's own; browsers reach Rasa by its address.
        "WISMO_ALLOWED_ORIGINS": f"http://127.0.0.1:{ports['WEB_PORT']}",
        "RASA_PUBLIC_URL": rasa,
        # The phone channels and the local fakes of Twilio and Meta that play the phones.
        "TWILIO_PUBLIC_URL": f"{rasa}/webhooks/twilio/webhook",
        "TWILIO_API_URL": fakes,
        "WHATSAPP_WEBHOOK_URL": f"{rasa}/webhooks/whatsapp_cloud/webhook",
        "WHATSAPP_GRAPH_URL": fakes,
        # Updates within a second or two, not the production cadence.
        "NOTIFIER_INTERVAL_SECONDS": "1",
        "SANDBOX_WEBHOOK_SECONDS": "1",
        # The Procfile's `seed:` line waits and talks to nobody: tests drive their own.
        "SEED_CONVERSATIONS": "0",
        **overrides,
    }


def start_wismo(workdir: Path, overrides: Mapping[str, str] = {}) -> Stack:
    """Load the demo orders, then start every Procfile process; not yet answering."""
    env = wismo_env(workdir, overrides)
    wismo = ROOT / ".venv" / "bin" / "wismo"
    subprocess.run([str(wismo), "demo", "--load"], env=env, cwd=ROOT, check=True)
    stack = Stack(f"http://127.0.0.1:{env['RASA_PORT']}", env, workdir)
    try:
        for name, command in procfile().items():
            stack.start(name, command)
    except BaseException:
        stack.stop()
        raise
    return stack


def start_rasa(project: Path, model: Path, workdir: Path, extra: str = "") -> Stack:
    """A bare `rasa run` of a project's model (the stock bot of the baseline)."""
    env = wismo_env(workdir)
    # From its own project folder, so it reads its own endpoints and credentials.
    stack = Stack(f"http://127.0.0.1:{env['RASA_PORT']}", env, workdir, cwd=project)
    command = f"{shlex.quote(str(RASA))} run --model {shlex.quote(str(model))} "
    stack.start("rasa", command + f"--port {env['RASA_PORT']} {extra}".strip())
    return stack
