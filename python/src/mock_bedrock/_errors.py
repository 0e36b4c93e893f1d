"""The package's exceptions."""

from __future__ import annotations

from typing import Optional


class MockBedrockError(Exception):
    """The admin API answered an error: `status` is the HTTP status (0 or None when there was no
    HTTP answer), `message` the server's message."""

    def __init__(self, status: Optional[int], message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.status else self.message


class MockBedrockConnectionError(MockBedrockError, ConnectionError):
    """The server gave no complete answer: the connection was refused, reset or closed before the
    answer ended, the answer was cut short, was not HTTP or not JSON, or (MockBedrockTimeoutError)
    did not come in time. `status` is 0. `returncode` is the server's exit code when it has exited
    (None while it runs), `log_tail` the end of what it wrote to stderr then, `reason` the transport's
    own exception."""

    def __init__(self, message: str, *, returncode: Optional[int] = None, log_tail: str = "",
                 reason: Optional[BaseException] = None) -> None:
        super().__init__(0, message)
        self.returncode = returncode
        self.log_tail = log_tail
        self.reason = reason


class MockBedrockTimeoutError(MockBedrockConnectionError, TimeoutError):
    """No answer within the call's timeout (the caller's, or the server's `admin_timeout`): the server
    is hung, stopped or too busy. Also a TimeoutError, as the caller's own deadline passed."""


class BinaryNotFoundError(MockBedrockError, FileNotFoundError):
    """No mock-bedrock binary in any of the places looked at."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class ServerStartError(MockBedrockError, RuntimeError):
    """The server exited (or said nothing) before its ready line; `stderr` is what it wrote."""

    def __init__(self, message: str, *, returncode: Optional[int], stderr: str) -> None:
        super().__init__(None, message)
        self.returncode = returncode
        self.stderr = stderr


# --------------------------------------------------------------------------- the binary and the flags
