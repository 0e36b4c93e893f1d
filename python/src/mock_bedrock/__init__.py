"""mock-bedrock: a local mock of Amazon Bedrock batch inference for tests.

`MockBedrock` runs the server (the binary bundled in the platform wheel, else $MOCK_BEDROCK_BIN, else
`mock-bedrock` on PATH) and drives its admin API; `mock_bedrock.plugin` is the pytest plugin (fixtures
`mock_bedrock` and `bedrock`). See docs/python.md in the project.
"""

from ._admin import Clock
from ._errors import (BinaryNotFoundError, MockBedrockConnectionError, MockBedrockError, MockBedrockTimeoutError,
                      ServerStartError)
from ._faults import FaultRule, Faults
from ._jobs import Jobs
from ._process import find_binary
from ._server import MockBedrock, MockBedrockScope

__all__ = [
    "BinaryNotFoundError",
    "Clock",
    "FaultRule",
    "Faults",
    "Jobs",
    "MockBedrock",
    "MockBedrockConnectionError",
    "MockBedrockError",
    "MockBedrockScope",
    "MockBedrockTimeoutError",
    "ServerStartError",
    "find_binary",
]
