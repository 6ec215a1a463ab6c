"""The inputs of the item's actions (declared in ledgers.py; the kit builds their pages, API
input and buttons from these)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import ActionForm
from gongxiao.org.models import Person

from .models import Measure


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ProgressForm(ActionForm):
    """Progress with its evidence; its date is the action's business date (`on`)."""

    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("evidence files"), required=False)
    is_checkin = forms.BooleanField(label=_("periodic check-in"), required=False)


class MeasureForm(ActionForm):
    description = forms.CharField(label=_("measure"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Person.objects.none(), required=False)
    deadline = forms.DateField(
        label=_("deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scoping.scope_related(Person.objects.all(), self.user)


class OpinionForm(ActionForm):
    """The reviewer's close-out opinion (销号意见), printed on the 问题销号审批表."""

    reason = forms.CharField(
        label=_("Close-out opinion"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "cols": 30, "placeholder": _("Close-out opinion (optional)")}
        ),
    )


class NoteForm(ActionForm):
    """Why a step is taken, when the step does not require it (a withdrawn request)."""

    reason = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30, "placeholder": _("Note (optional)")}),
    )


class ReasonForm(ActionForm):
    """A step that must say why (a rejected close-out, a reopening)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30, "placeholder": _("Reason (required)")}),
    )


class MeasureStateForm(ActionForm):
    measure = forms.ModelChoiceField(label=_("measure"), queryset=Measure.objects.none())
    state = forms.ChoiceField(label=_("status"), choices=Measure.State.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this item's measures: a measure of another item is not reached through this one.
        if self.obj is not None:
            self.fields["measure"].queryset = Measure.objects.filter(item=self.obj)
