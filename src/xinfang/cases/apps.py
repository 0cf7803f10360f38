from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    verbose_name = _("信访事项")

    def ready(self) -> None:
        # Calendar and rule-set changes (deadlines layer) move open cases' due dates here.
        from xinfang.cases.actions.clocks import rederive_open_due_dates
        from xinfang.deadlines.services import clock_inputs_changed

        def rederive(sender: Any, *, actor: Any, reason: str, **kwargs: Any) -> int:
            return rederive_open_due_dates(actor=actor, reason=reason)

        clock_inputs_changed.connect(rederive, dispatch_uid="xinfang.cases.rederive_due_dates")
