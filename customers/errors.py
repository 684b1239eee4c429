"""Domain errors of the customer archive. Their messages are shown to users as they are."""

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import RuleError


class DuplicateCustomer(RuleError):
    """Registering (or adding a key to) a customer somebody already registered (000 §3.2.c).

    Says who holds it — name and department, or which pool — and since when, nothing else:
    no contact data of the existing customer leaves this message.
    """

    def __init__(self, customer):
        self.customer_id = customer.pk
        since = timezone.localtime(customer.holder_since).strftime("%Y-%m-%d")
        if customer.holder_id:
            department = customer.department.name if customer.department_id else _("head office")
            message = _(
                "This customer is already registered: held by %(holder)s (%(department)s) "
                "since %(since)s. It cannot be registered again."
            ) % {"holder": customer.holder.display_name, "department": department, "since": since}
        elif customer.pool == "department" and customer.department_id:
            message = _(
                "This customer is already registered and sits in the public pool of "
                "%(department)s since %(since)s. Ask your manager for it instead."
            ) % {"department": customer.department.name, "since": since}
        else:
            message = _(
                "This customer is already registered and sits in the company pool since "
                "%(since)s. Ask your manager for it instead."
            ) % {"since": since}
        super().__init__(message)


class OwnershipConflict(RuleError):
    """The holder changed under us (someone else moved the customer first)."""


class NotAllowed(RuleError):
    """The actor's role does not allow this action."""
