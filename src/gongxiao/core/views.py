"""Generic ledger pages. Every page finds its ledger in the registry and its rows through the
scoping layer; a newly declared ledger gets all of them."""

from __future__ import annotations

import datetime
import html
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from gongxiao.core import actions, excel, jobs, scoping, services
from gongxiao.core.filters import filtered
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord, Job, RecordLocked
from gongxiao.core.pagination import CappedPaginator


def capped_count(qs, cap=None) -> tuple[int, bool]:
    """(count, capped): counts at most `cap` rows."""
    cap = cap or settings.GONGXIAO_LIST_COUNT_CAP
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


def _cell(value) -> str:
    """A value as the template's {{ value }} prints it: local time, localised, escaped."""
    if type(value) is str:
        return html.escape(value)  # what django.utils.html.escape does, without its wrapper
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def table_body(ledger, rows, headers, selectable: bool) -> SafeString:
    """The list's rows as _ledger_table.html printed them cell by cell, built in one pass:
    the headers, the link and the checkbox's label are escaped once per page, not per cell."""
    marker = 2_147_483_647
    link = conditional_escape(
        reverse("ledger-detail", args=(ledger.app_label, ledger.slug, marker))
    ).split(str(marker))
    labels = [f'<td data-label="{conditional_escape(str(h))}">' for h in headers[1:]]
    select = conditional_escape(_("Select"))
    out = []
    for obj, cells in rows:
        pk = _cell(obj.pk)
        parts = ["\n    <tr>"]
        if selectable:
            parts.append(
                '<td class="gx-card-select"><input class="form-check-input" type="checkbox" '
                f'name="rows" value="{pk}:{_cell(obj.version)}" form="bulk-form" '
                f'aria-label="{select}"></td>'
            )
        if cells:
            first = cells[0] or "—"
            parts.append(
                f'<td class="gx-card-title"><a href="{pk.join(link)}">{_cell(first)}</a></td>'
            )
            for label, c in zip(labels, cells[1:], strict=False):
                parts.append(f"{label}{_cell(c)}</td>")
            for c in cells[1 + len(labels) :]:
                parts.append(f'<td data-label="">{_cell(c)}</td>')
        parts.append("</tr>\n  ")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


class LedgerView(LoginRequiredMixin, View):
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.ledger = get_ledger(kwargs["app_label"], kwargs["slug"])
        if self.ledger is None:
            raise Http404(_("No such ledger."))
        if not scoping.can_any(request.user, self.ledger.module, self.action):
            raise PermissionDenied(_("Your roles do not allow this."))
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, **extra):
        return reverse(
            f"ledger-{name}",
            kwargs={"app_label": self.ledger.app_label, "slug": self.ledger.slug, **extra},
        )

    def get_row(self, pk, action=None, select=()):
        rows = self.ledger.queryset_for(self.request.user, action or self.action)
        if select:  # select_related() with no fields is deprecated (Django 2028)
            rows = rows.select_related(*select)
        return get_object_or_404(rows, pk=pk)

    def context(self, **extra):
        user = self.request.user
        return {
            "ledger": self.ledger,
            "can_add": scoping.can_any(user, self.ledger.module, "add"),
            "can_import": scoping.can_any(user, self.ledger.module, "import"),
            "can_export": scoping.can_any(user, self.ledger.module, "export"),
            "list_url": self.url("list"),
            **extra,
        }


class LedgerListView(LedgerView):
    def get(self, request, app_label, slug):
        ledger = self.ledger
        data = request.GET.copy()
        unit = getattr(request, "working_unit", None)
        if unit is not None and "unit" not in data and "unit_only" not in data:
            # The unit chosen in the top bar narrows every list (and its export) unless the
            # list's own unit filter says otherwise.
            data["unit"] = str(unit.pk)
        request.GET = data
        fs, qs = filtered(ledger, request, ledger.queryset_for(request.user))
        paginator = CappedPaginator(qs, 25 if request.GET.get("compact") else 50)
        page = paginator.get_page(request.GET.get("page"))
        rows = [
            (obj, [ledger.display_value(obj, f, request.user) for f in ledger.list_fields])
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        headers = [ledger.label(f) for f in ledger.list_fields]
        bulk_actions = [
            a
            for a in ledger.actions
            if a.bulk and scoping.can_any(request.user, ledger.module, a.right)
        ]
        ctx = self.context(
            filterset=fs,
            page=page,
            rows=rows,
            table_body=table_body(ledger, rows, headers, bool(bulk_actions)),
            capped=getattr(paginator, "capped", False),
            headers=headers,
            query=query.urlencode(),
            bulk_actions=bulk_actions,
            today=timezone.localdate(),
        )
        template = (
            "core/_ledger_table.html"
            if request.htmx and not request.htmx.boosted
            else "core/ledger_list.html"
        )
        return render(request, template, ctx)


class LedgerDetailView(LedgerView):
    def _file_url(self, obj, name):
        if name in self.ledger.computed or "__" in name:
            return None
        if isinstance(self.ledger.field(name), models.FileField) and getattr(obj, name):
            return self.url("file", pk=obj.pk, field=name)
        return None

    def get(self, request, app_label, slug, pk):
        ledger = self.ledger
        # The users a row names (created by, closed by…) are shown by their person's name:
        # fetched with the row, not one query each.
        user_model = get_user_model()
        model: Any = getattr(ledger, "model", None)
        shown = set(getattr(ledger, "detail_field_names", []))
        people = [
            f"{f.name}__person"
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is user_model and f.name in shown
        ]
        obj = self.get_row(pk, select=people)
        fields = [
            (ledger.label(f), ledger.display_value(obj, f, request.user), self._file_url(obj, f))
            for f in ledger.detail_field_names
        ]
        history = ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(ledger.model), object_pk=str(obj.pk)
        ).order_by("-at", "-id")[:200]
        ctx = self.context(
            obj=obj,
            fields=fields,
            history=[_history_entry(ledger, h, request.user, obj) for h in history],
            locked=ledger.lock_reason(obj),
            can_edit=not ledger.lock_reason(obj)
            and ledger.model.objects.editable_by(request.user).filter(pk=obj.pk).exists(),
            can_delete=not ledger.lock_reason(obj)
            and ledger.model.objects.permitted(request.user, "delete").filter(pk=obj.pk).exists(),
        )
        if ledger.actions:
            ready = [
                (a, a.form(obj, request.user)) for a in actions.available(ledger, obj, request.user)
            ]
            ctx["actions"] = [(a, f) for a, f in ready if a.in_block]
            ctx["action_forms"] = {a.name: f for a, f in ready}
        ctx["children"] = _children(ledger, obj, request.user, locked=bool(ctx["locked"]))
        ctx.update(ledger.detail_extra(request, obj))
        return render(request, ledger.detail_template, ctx)


CHILD_ROWS = 10


def _children(ledger, obj, user, *, locked: bool) -> list[dict]:
    """The row's sub-rows in each child ledger the user may see (a finding under its
    inspection): how many, the first few, the child's list narrowed to this row and a link
    that adds one with this row already chosen. Counted through the scoping layer."""
    blocks = []
    for child, field in ledger.child_ledgers():
        if not scoping.can_any(user, child.module, "view"):
            continue
        columns = [f for f in child.list_fields if f != field][:4]
        rows = child.queryset_for(user, "view", fields=columns).filter(**{field: obj})
        first = list(rows[: CHILD_ROWS + 1])
        # Counted only when there are more than the page shows: most parents have a few.
        total, capped = capped_count(rows) if len(first) > CHILD_ROWS else (len(first), False)
        kw = {"app_label": child.app_label, "slug": child.slug}
        filters = child.filter_fields
        narrowed = field in filters and (isinstance(filters, list) or "exact" in filters[field])
        blocks.append(
            {
                "ledger": child,
                "total": total,
                "capped": capped,
                "columns": [child.label(f) for f in columns],
                "rows": [
                    (
                        reverse("ledger-detail", kwargs={**kw, "pk": r.pk}),
                        [child.display_value(r, f, user) for f in columns],
                    )
                    for r in first[:CHILD_ROWS]
                ],
                "list_url": f"{reverse('ledger-list', kwargs=kw)}?{field}={obj.pk}"
                if narrowed
                else None,
                "add_url": f"{reverse('ledger-create', kwargs=kw)}?{field}={obj.pk}"
                if not locked
                and field in child.form_fields
                and scoping.can_any(user, child.module, "add")
                else None,
            }
        )
    return blocks


class LedgerActionView(LedgerView):
    """An action's own page: GET shows its form (with why it is refused, if it is), POST runs
    it through the one runner; a refusal comes back as a message on the row's page, input that
    its form (or the service) refuses is shown again with what the user typed."""

    def _render(self, obj, act, form, status=200):
        ctx = self.context(
            obj=obj, action=act, form=form, refused=act.refusal(obj, self.request.user)
        )
        return render(self.request, "core/ledger_action.html", ctx, status=status)

    def get(self, request, app_label, slug, pk, name):
        act = actions.get_action(self.ledger, name)
        obj = self.get_row(pk)
        return self._render(obj, act, act.form(obj, request.user))

    def post(self, request, app_label, slug, pk, name):
        act = actions.get_action(self.ledger, name)
        obj = self.get_row(pk)
        detail = self.ledger.saved_url(obj) or self.url("detail", pk=obj.pk)
        try:
            if act.background:
                job = jobs.start_action(
                    self.ledger,
                    act,
                    obj,
                    request.user,
                    request.POST,
                    request.POST.get("version"),
                    source="web",
                    back_url=detail,
                    language=request.LANGUAGE_CODE,
                )
                return redirect("job-detail", pk=job.pk)
            actions.perform(
                self.ledger,
                act,
                obj,
                request.user,
                request.POST,
                request.POST.get("version"),
                files=request.FILES,
            )
        except actions.InputInvalid as exc:
            return self._render(obj, act, exc.form, status=400)
        except ValidationError as exc:
            if not act.has_inputs:
                messages.error(request, actions.refusal(exc)[1])
                return redirect(detail)
            form = act.form(obj, request.user, data=request.POST, files=request.FILES)
            form.is_valid()
            for key, msgs in getattr(exc, "message_dict", {None: exc.messages}).items():
                if key in form.fields:
                    form.add_error(key, msgs)
                elif key in (None, "__all__"):
                    form.add_error(None, msgs)
                else:  # a field of the row, not of the form: named by its label
                    label = services.field_label(key, getattr(self.ledger, "model", None))
                    form.add_error(None, [f"{label}：{m}" for m in msgs])
            return self._render(obj, act, form, status=400)
        except Exception as exc:
            status, message = actions.refusal(exc)
            if status is None:
                raise
            if status == 404:
                raise Http404(message) from exc
            messages.error(request, message)
            return redirect(detail)
        messages.success(request, _("Done: %(action)s.") % {"action": act.label})
        return redirect(detail)


class LedgerBulkActionView(LedgerView):
    """A bulk action on rows chosen on the list: each row through the same runner in its own
    savepoint; rows out of the user's scope are reported and never touched."""

    def post(self, request, app_label, slug):
        act = actions.get_action(self.ledger, request.POST.get("action", ""))
        rows = actions.parse_rows(request.POST.getlist("rows"))
        back = self.url("list")
        if query := request.POST.get("query"):
            back += "?" + query
        if not rows:
            messages.error(request, _("Choose the rows first."))
            return redirect(back)
        try:
            result = actions.perform_bulk(self.ledger, act, rows, request.user, request.POST)
        except actions.ActionRefused as exc:
            messages.error(request, str(exc))
            return redirect(back)
        level = (
            messages.SUCCESS
            if result.done and not (result.refused or result.not_found)
            else messages.WARNING
        )
        messages.add_message(request, level, result.message(act))
        return redirect(back)


def _history_entry(ledger, record, user, obj=None):
    changes = []
    before, after = record.before or {}, record.after or {}
    for name in record.changed_fields():
        if name in ("version", "updated_by", "created_by") or name in ledger.detail_exclude:
            continue  # kept in the record, not worth a line on the page
        try:
            field = ledger.field(name)
        except FieldDoesNotExist:
            continue  # a field since removed; its values stay in the record
        old, new = before.get(name), after.get(name)
        if name in ledger.pii_fields and not ledger.shows_pii(user, obj):
            old = ledger.pii_fields[name](old) if old else old
            new = ledger.pii_fields[name](new) if new else new
        else:
            old, new = _readable(field, old, user), _readable(field, new, user)
        changes.append((str(field.verbose_name), old, new))
    return {"record": record, "changes": changes}


def _readable(field, raw, user):
    """A stored value as a person reads it: labels for choices, names for related rows (only
    when still in the user's reach), local dates and times."""
    if raw in (None, ""):
        return raw
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField):
        return _("Yes") if raw else _("No")
    if field.is_relation and field.related_model is not None:
        related = scoping.scope_related(field.related_model._default_manager.all(), user)
        if isinstance(raw, list):  # a many-to-many field: the ids it held
            names = [str(o) for o in related.filter(pk__in=raw)]
            hidden = len(raw) - len(names)
            return "、".join(names) + (f"（+{hidden}）" if hidden else "")
        obj = related.filter(pk=raw).first()
        return str(obj) if obj is not None else f"#{raw}"
    if isinstance(field, models.DateTimeField):
        try:
            return formats.date_format(
                timezone.localtime(datetime.datetime.fromisoformat(raw)), "DATETIME_FORMAT"
            )
        except (TypeError, ValueError):
            return raw
    return raw


class LedgerFileView(LedgerView):
    """A file kept on a row (a signed letter, an audit report), for those who may see the row."""

    def get(self, request, app_label, slug, pk, field):
        obj = self.get_row(pk)
        try:
            model_field = self.ledger.field(field)
        except FieldDoesNotExist:
            raise Http404 from None
        if not isinstance(model_field, models.FileField) or not getattr(obj, field):
            raise Http404(_("This record has no such file."))
        if not self.ledger.may_download(obj, field, request.user):
            raise PermissionDenied(_("Your roles do not allow this file."))
        f = getattr(obj, field)
        return FileResponse(f.open("rb"), as_attachment=True, filename=f.name.rsplit("/", 1)[-1])


class LedgerEditView(LedgerView):
    action = "change"

    def _locked(self, obj):
        reason = obj is not None and self.ledger.lock_reason(obj)
        if reason:
            messages.error(self.request, reason)
            return redirect(self.url("detail", pk=obj.pk))
        return None

    def get(self, request, app_label, slug, pk=None):
        obj = self.get_row(pk) if pk else None
        if (locked := self._locked(obj)) is not None:
            return locked
        form = self.ledger.form_class(
            instance=obj,
            user=request.user,
            action=self._form_action(obj),
            initial=self._initial(obj),
        )
        return self._render(form, obj)

    def post(self, request, app_label, slug, pk=None):
        obj = self.get_row(pk) if pk else None
        if (locked := self._locked(obj)) is not None:
            return locked
        form = self.ledger.form_class(
            request.POST,
            request.FILES,
            instance=obj,
            user=request.user,
            action=self._form_action(obj),
        )
        conflict = None
        if form.is_valid():
            row = form.save(commit=False)
            m2m = {
                n: form.cleaned_data[n]
                for n in self.ledger.m2m_names(self.ledger.form_fields)
                if n in form.cleaned_data
            }
            try:
                if obj is None:
                    row = self.ledger.create(row, request.user, m2m=m2m)
                    messages.success(request, _("Saved."))
                else:
                    version = form.cleaned_data.get("version")
                    if version is None:
                        raise ValidationError(
                            _("The form is missing its version; reload the page.")
                        )
                    self.ledger.update(row, request.user, expected_version=version, m2m=m2m)
                    messages.success(request, _("Saved."))
                return redirect(self.ledger.saved_url(row) or self.url("detail", pk=row.pk))
            except services.StaleEdit as exc:
                conflict = exc.current
                form.add_error(None, str(exc))
                # The user's input stays on the form; the new version lets him submit it again
                # knowingly, after seeing what the other person saved.
                data = form.data.copy()
                data["version"] = conflict.version
                form.data = data
            except ValidationError as exc:
                form.add_error(None, exc)
            except RecordLocked as exc:
                form.add_error(None, str(exc))
        status = 409 if conflict is not None else 200
        return self._render(form, obj, conflict=conflict, status=status)

    def _form_action(self, obj):
        return "add" if obj is None else "change"

    def _initial(self, obj):
        if obj is not None:
            return None
        initial = {}
        if "unit" in self.ledger.form_fields:
            unit = getattr(self.request, "working_unit", None)
            if unit is not None:
                initial["unit"] = unit.pk
        # "Add a section to this draft": a link may preset form fields; the form's scoped choices
        # still decide what may be chosen.
        for name in self.ledger.form_fields:
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial or None

    def _render(self, form, obj, conflict=None, status=200):
        stored = None
        if conflict is not None:
            stored = [
                (self.ledger.label(f), self.ledger.display_value(conflict, f, self.request.user))
                for f in self.ledger.form_fields
            ]
        ctx = self.context(form=form, obj=obj, stored=stored)
        return render(self.request, "core/ledger_form.html", ctx, status=status)


class LedgerCreateView(LedgerEditView):
    action = "add"


class LedgerDeleteView(LedgerView):
    action = "delete"

    def get(self, request, app_label, slug, pk):
        obj = self.get_row(pk)
        if reason := self.ledger.lock_reason(obj):
            messages.error(request, reason)
            return redirect(self.url("detail", pk=pk))
        return render(request, "core/ledger_delete.html", self.context(obj=obj))

    def post(self, request, app_label, slug, pk):
        obj = self.get_row(pk)
        if reason := self.ledger.lock_reason(obj):
            messages.error(request, reason)
            return redirect(self.url("detail", pk=pk))
        try:
            services.delete_row(obj=obj, user=request.user)
        except (services.RowInUse, RecordLocked) as exc:
            messages.error(request, str(exc))
            return redirect(self.url("detail", pk=pk))
        messages.success(request, _("Deleted."))
        return redirect(self.url("list"))


class LedgerExportView(LedgerView):
    action = "export"

    def get(self, request, app_label, slug):
        ledger = self.ledger
        query = request.GET.copy()
        query.pop("page", None)
        qs = jobs.export_queryset(ledger, request.user, query.urlencode())
        if qs[: settings.GONGXIAO_SYNC_ROW_LIMIT + 1].count() <= settings.GONGXIAO_SYNC_ROW_LIMIT:
            buf = io.BytesIO()
            excel.write_workbook(ledger, qs, request.user, ledger.export_field_names, target=buf)
            buf.seek(0)
            return FileResponse(buf, as_attachment=True, filename=jobs.export_filename(ledger))
        job = Job.objects.create(
            kind=Job.Kind.EXPORT,
            ledger=ledger.key,
            user=request.user,
            params={"query": query.urlencode(), "language": get_language()},
        )
        jobs.start(job, sync=False)
        return redirect("job-detail", pk=job.pk)


class LedgerTemplateView(LedgerView):
    action = "import"

    def get(self, request, app_label, slug):
        data = excel.template_bytes(self.ledger)
        with translation.override(settings.LANGUAGE_CODE):  # file names in Chinese
            name = _("%(ledger)s import template.xlsx") % {
                "ledger": self.ledger.verbose_name_plural
            }
        return FileResponse(io.BytesIO(data), as_attachment=True, filename=name)


class LedgerImportView(LedgerView):
    action = "import"
    max_bytes = 20 * 1024 * 1024

    def get(self, request, app_label, slug):
        return render(request, "core/ledger_import.html", self.context())

    def post(self, request, app_label, slug):
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Choose an Excel file to upload.")
        elif not upload.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
            error = _("Only Excel files (.xlsx, .xls) can be imported.")
        elif upload.size > self.max_bytes:
            error = _("The file is larger than 20 MB; split it into several files.")
        if error:
            return render(request, "core/ledger_import.html", self.context(error=error), status=400)
        job = Job(
            kind=Job.Kind.IMPORT_CHECK,
            ledger=self.ledger.key,
            user=request.user,
            params={"language": get_language(), "filename": upload.name},
        )
        job.upload.save(upload.name, upload, save=False)
        job.save()
        jobs.start(job, sync=upload.size <= settings.GONGXIAO_SYNC_IMPORT_BYTES)
        return redirect("job-detail", pk=job.pk)


class JobMixin(LoginRequiredMixin):
    def get_job(self, pk):
        # A job and its file are its owner's alone.
        return get_object_or_404(Job, pk=pk, user=self.request.user)


class JobDetailView(JobMixin, View):
    def get(self, request, pk):
        job = self.get_job(pk)
        jobs.fail_if_stale(job)
        from gongxiao.core.ledgers import get_ledger_by_key

        ledger = get_ledger_by_key(job.ledger)
        ctx = {
            "job": job,
            "ledger": ledger,
            # An app's own job (a report) says where it came from; a ledger job goes to its list.
            "list_url": job.params.get("back_url")
            or reverse("ledger-list", kwargs={"app_label": ledger.app_label, "slug": ledger.slug}),
        }
        if request.htmx:
            return render(request, "core/_job_status.html", ctx)
        return render(request, "core/job_detail.html", ctx)


class JobDownloadView(JobMixin, View):
    def get(self, request, pk):
        job = self.get_job(pk)
        if not job.result_file:
            raise Http404(_("This job has no file."))
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_file.name.rsplit("/", 1)[-1],
        )


class ImportConfirmView(JobMixin, View):
    def post(self, request, pk):
        check = self.get_job(pk)
        if check.kind != Job.Kind.IMPORT_CHECK or not check.result.get("ok"):
            messages.error(request, _("Only a checked file without errors can be imported."))
            return redirect("job-detail", pk=check.pk)
        if check.params.get("committed_by"):
            return redirect("job-detail", pk=check.params["committed_by"])
        from gongxiao.core.ledgers import get_ledger_by_key

        ledger = get_ledger_by_key(check.ledger)
        if not scoping.can_any(request.user, ledger.module, "import"):
            raise PermissionDenied
        with transaction.atomic():
            # One commit per checked file, however many confirms arrive at once: the check is
            # claimed by a conditional UPDATE (the row is locked until this transaction ends;
            # a second confirm waits, then finds it claimed and is sent to the first's job).
            # Rows already kept are skipped unless the user asked for them to be updated.
            existing = "update" if request.POST.get("existing") == "update" else "skip"
            job = Job(
                kind=Job.Kind.IMPORT_COMMIT,
                ledger=check.ledger,
                user=request.user,
                params={
                    **check.params,
                    "check": str(check.pk),
                    "existing": existing,
                    "existing_versions": check.result.get("existing_versions", {}),
                },
                upload=check.upload.name,
            )
            claimed = (
                Job.objects.filter(pk=check.pk, kind=Job.Kind.IMPORT_CHECK)
                .exclude(params__has_key="committed_by")
                .update(params={**check.params, "committed_by": str(job.pk)})
            )
            if not claimed:
                check.refresh_from_db()
                return redirect("job-detail", pk=check.params.get("committed_by", check.pk))
            job.save(force_insert=True)
            jobs.start(job, sync=check.total <= settings.GONGXIAO_SYNC_ROW_LIMIT)
        return redirect("job-detail", pk=job.pk)


class JobRetryView(JobMixin, View):
    """Run a failed job again (its owner only): one whose worker died, say."""

    def post(self, request, pk):
        job = self.get_job(pk)
        if job.kind in (Job.Kind.IMPORT_CHECK, Job.Kind.IMPORT_COMMIT):
            from gongxiao.core.ledgers import get_ledger_by_key

            if not scoping.can_any(request.user, get_ledger_by_key(job.ledger).module, "import"):
                raise PermissionDenied
        if jobs.retry(job):
            messages.success(request, _("The job was queued again."))
        else:
            messages.error(request, _("Only a failed job can be run again."))
        return redirect("job-detail", pk=job.pk)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
