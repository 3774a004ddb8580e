"""sfnc: a compiler and validator for AWS Step Functions state machines written in JSONata."""

__version__ = "0.1.0"
