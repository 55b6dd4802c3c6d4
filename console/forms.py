"""HTML forms of the console; they check shape only, the services check meaning."""

from __future__ import annotations

from django import forms

from console.models import StateMachine
from console.services.names import name_problem


class MachineForm(forms.Form):
    name = forms.CharField(strip=False)
    type = forms.ChoiceField(choices=StateMachine.TYPES, initial=StateMachine.STANDARD)
    definition = forms.CharField(widget=forms.Textarea, strip=False)
    role_arn = forms.CharField(max_length=256, required=False, label="Role ARN")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        problem = name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name


class EditMachineForm(forms.Form):
    definition = forms.CharField(widget=forms.Textarea, strip=False)
    role_arn = forms.CharField(max_length=256, required=False, label="Role ARN")


class StartExecutionForm(forms.Form):
    name = forms.CharField(required=False, strip=True, help_text="Leave empty for a generated id.")
    input = forms.CharField(widget=forms.Textarea, strip=False, initial="{}")


class StopExecutionForm(forms.Form):
    error = forms.CharField(required=False, max_length=256)
    cause = forms.CharField(required=False, max_length=32768, widget=forms.Textarea)
