"""The package's exceptions."""

from __future__ import annotations

from typing import Optional


class MockBedrockError(Exception):
    """The admin API answered an error: `status` is the HTTP status, `message` the server's message."""

    def __init__(self, status: Optional[int], message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return self.message if self.status is None else f"{self.status}: {self.message}"


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
