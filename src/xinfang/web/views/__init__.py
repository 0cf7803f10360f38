"""Views of the handlers' pages, one module per area (home, queues, cases, registration,
supervision). Every case read goes through cases.access; every write through cases.actions."""
