#!/usr/bin/env python3
"""Writes Sources/ServiceModel/ServiceModel+Generated.swift from botocore's Bedrock service model.

The mock derives every shape constraint, error status and operation route it serves from the
model rather than retyping it. Only the operations mock-bedrock covers, the shapes they reach and
the model's error shapes are written.

    scripts/generate-service-model.py            # rewrite the Swift file
    scripts/generate-service-model.py --check    # exit 1 if the committed file is not current
"""
import argparse
import gzip
import json
import os
import re
import sys

import botocore

OPERATIONS = [
    "CreateModelInvocationJob",
    "GetModelInvocationJob",
    "ListModelInvocationJobs",
    "StopModelInvocationJob",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "Sources", "ServiceModel", "ServiceModel+Generated.swift")


def load_model():
    folder = os.path.join(os.path.dirname(botocore.__file__), "data", "bedrock", "2023-04-20")
    plain = os.path.join(folder, "service-2.json")
    if os.path.exists(plain):
        with open(plain) as f:
            return json.load(f)
    with gzip.open(plain + ".gz") as f:
        return json.load(f)


def swift_string(text):
    if '"#' in text:
        raise SystemExit(f"cannot write {text!r} as a raw Swift string")
    return '#"' + text + '"#'


def optional_int(value):
    return "nil" if value is None else str(int(value))


def reachable_shapes(model):
    names = []
    pending = []
    for op in OPERATIONS:
        operation = model["operations"][op]
        for key in ("input", "output"):
            if key in operation:
                pending.append(operation[key]["shape"])
        pending.extend(error["shape"] for error in operation.get("errors", []))
    pending.extend(name for name, shape in model["shapes"].items() if shape.get("exception"))
    while pending:
        name = pending.pop(0)
        if name in names:
            continue
        names.append(name)
        shape = model["shapes"][name]
        for member in shape.get("members", {}).values():
            pending.append(member["shape"])
        if "member" in shape:
            pending.append(shape["member"]["shape"])
        for key in ("key", "value"):
            if key in shape:
                pending.append(shape[key]["shape"])
    return sorted(names)


def render_shape(name, shape):
    kind = shape["type"]
    fields = [f'name: "{name}"', f".{kind}"]
    args = []
    if "min" in shape:
        args.append(f"min: {optional_int(shape['min'])}")
    if "max" in shape:
        args.append(f"max: {optional_int(shape['max'])}")
    if "pattern" in shape:
        args.append(f"pattern: {swift_string(shape['pattern'])}")
    if "enum" in shape:
        args.append("enumValues: [" + ", ".join(f'"{v}"' for v in shape["enum"]) + "]")
    if "members" in shape:
        members = []
        for member_name, member in shape["members"].items():
            parts = [f'"{member_name}"', f'"{member["shape"]}"']
            if "location" in member:
                parts.append(f".{member['location']}")
                parts.append(f'"{member.get("locationName", member_name)}"')
            if member.get("idempotencyToken"):
                parts.append("idempotencyToken: true")
            members.append("Shape.Member(" + ", ".join(parts) + ")")
        if members:
            args.append("members: [\n            " + ",\n            ".join(members) + ",\n        ]")
        else:
            args.append("members: []")
    if shape.get("required"):
        args.append("required: [" + ", ".join(f'"{r}"' for r in shape["required"]) + "]")
    if shape.get("union"):
        args.append("isUnion: true")
    if "member" in shape:
        args.append(f'listMember: "{shape["member"]["shape"]}"')
    if shape.get("sensitive"):
        args.append("isSensitive: true")
    if shape.get("exception"):
        error = shape.get("error", {})
        status = error.get("httpStatusCode", 400)
        args.append(f"errorStatus: {status}")
        text = " ".join(re.sub(r"<[^>]+>", "", shape.get("documentation", "")).split())
        if text:
            args.append(f"documentation: {swift_string(text)}")
    if "timestampFormat" in shape:
        args.append(f'timestampFormat: "{shape["timestampFormat"]}"')
    return "        Shape(" + ", ".join(fields + args) + "),"


def render_operation(name, operation):
    http = operation["http"]
    parts = [
        f'name: "{name}"',
        f'method: "{http["method"]}"',
        f'requestURI: "{http["requestUri"]}"',
        f'responseCode: {http.get("responseCode", 200)}',
        f'input: {json.dumps(operation["input"]["shape"]) if "input" in operation else "nil"}',
        f'output: {json.dumps(operation["output"]["shape"]) if "output" in operation else "nil"}',
        "errors: [" + ", ".join(f'"{e["shape"]}"' for e in operation.get("errors", [])) + "]",
    ]
    return "        Operation(" + ", ".join(parts) + "),"


def render(model):
    metadata = model["metadata"]
    lines = [
        "// Generated by scripts/generate-service-model.py from botocore "
        f"{botocore.__version__}'s bedrock/{metadata['apiVersion']}/service-2.json.",
        "// Do not edit: run the script again. A test checks that this file is current.",
        "// swift-format-ignore-file",
        "",
        "extension ServiceModel {",
        f'    public static let apiVersion = "{metadata["apiVersion"]}"',
        f'    public static let botocoreVersion = "{botocore.__version__}"',
        "",
        "    static let generatedShapes: [Shape] = [",
    ]
    for name in reachable_shapes(model):
        lines.append(render_shape(name, model["shapes"][name]))
    lines.append("    ]")
    lines.append("")
    lines.append("    static let generatedOperations: [Operation] = [")
    for name in OPERATIONS:
        lines.append(render_operation(name, model["operations"][name]))
    lines.append("    ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args()
    text = render(load_model())
    if args.check:
        with open(TARGET) as f:
            if f.read() != text:
                print(f"{os.path.relpath(TARGET, ROOT)} is not current: run scripts/generate-service-model.py", file=sys.stderr)
                return 1
        print(f"{os.path.relpath(TARGET, ROOT)} is current (botocore {botocore.__version__})")
        return 0
    with open(TARGET, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(TARGET, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
