"""Shapes: what sfnc knows about the JSON data flowing through a state machine (see docs/validate.md).

- `shape`: the lattice (object/array/string enum/number/... , join, member lookup, rendering)
- `aws_models`: botocore's API models as shapes (lazy, cached per process)
- `integrations`: a Task Resource -> its result shape, parameters and error prefix
- `infer`: JSONata type inference
- `flow`: the shape of every state's input, result, output and of every variable
- `findings`: the detection functions rules call

See docs/shapes.md. Nothing here imports botocore, boto3 or the JSONata engine at import time.
"""
