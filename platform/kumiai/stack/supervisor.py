"""Runs the stack's processes, reports the one that dies, and stops them all in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .embedded import EmbeddedStack


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, env: dict[str, str], cwd: Path, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}.log"
        self.process = subprocess.Popen(
            self.argv,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()

    def _pump(self, stream: IO[bytes] | None) -> None:
        # Echo with a prefix so the terminal says which process spoke, and keep a log file.
        assert stream is not None and self.log_path is not None
        with open(self.log_path, "ab") as log:
            for line in iter(stream.readline, b""):
                log.write(line)
                log.flush()
                sys.stdout.write(f"{self.name:>6} | {line.decode(errors='replace')}")
                sys.stdout.flush()

    def stop(self, timeout_s: float = 15.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@dataclass
class Supervisor:
    stack: EmbeddedStack
    children: list[Child] = field(default_factory=list)
    _shut_down: bool = False

    @staticmethod
    def install_signal_handlers() -> None:
        """SIGTERM behaves like Ctrl-C: both raise KeyboardInterrupt wherever we are, and
        the caller's `finally` stops every child. Install before starting anything."""

        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)
        signal.signal(signal.SIGINT, interrupt)

    def watch(self) -> int:
        """Block until Ctrl-C / SIGTERM (exit 0) or until a process dies (exit 1)."""
        try:
            while True:
                dead = self._first_dead()
                if dead is not None:
                    name, code, tail = dead
                    print(
                        f"\n[kumiai] {name} exited unexpectedly (code {code}); stopping the stack.",
                        file=sys.stderr,
                    )
                    if tail:
                        print(f"[kumiai] last lines of its log:\n{tail}", file=sys.stderr)
                    return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            return 0
        finally:
            self.shutdown()

    def _first_dead(self) -> tuple[str, int, str] | None:
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                return child.name, child.process.returncode, ""
        for service in self.stack.services:
            if service.process is not None and service.process.poll() is not None:
                return service.name, service.process.returncode, service.tail()
        return None

    def shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        # A second Ctrl-C must not leave half the stack running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("[kumiai] stopping …", file=sys.stderr)
        for child in reversed(self.children):
            child.stop()
        self.stack.stop()
        print("[kumiai] stopped; data kept in", self.stack.home, file=sys.stderr)
