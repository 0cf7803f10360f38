"""The handlers' forms. Each form gathers one action's input and calls that one action in
`xinfang.cases.actions`; it never writes anything itself (web/forms/flows.py)."""
