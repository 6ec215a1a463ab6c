from django import forms
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
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


class ProgressForm(forms.Form):
    date = forms.DateField(
        label=_("date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    text = forms.CharField(
        label=_("progress"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    files = MultipleFileField(label=_("evidence files"), required=False)
    is_checkin = forms.BooleanField(
        label=_("periodic check-in"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class MeasureForm(forms.Form):
    description = forms.CharField(
        label=_("measure"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    owner = forms.ModelChoiceField(
        label=_("owner"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    deadline = forms.DateField(
        label=_("deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scoping.scope_related(Person.objects.all(), user)


class StepForm(forms.Form):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    # 业务日期: when the step happened; today unless the clerk enters it after the fact.
    on = forms.DateField(
        label=_("business date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    # Without the version a step could overwrite what someone else did meanwhile.
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _("The page is out of date: reload it and try again.")},
    )


class MeasureStateForm(forms.Form):
    state = forms.ChoiceField(choices=Measure.State.choices)
    version = forms.IntegerField()
