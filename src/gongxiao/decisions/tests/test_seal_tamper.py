"""Tampering as the database's owner would (past the append-only triggers): each case ends in a
BROKEN line from `gongxiao verify-seals` and exit status 1. The attacker has the database but
not the seal key, and not the anchors file unless the case says so."""

import datetime
import hashlib
import hmac
import importlib
import shutil

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.utils import translation

from gongxiao.core import appendonly
from gongxiao.decisions import anchors, services
from gongxiao.decisions.models import Amendment, Meeting, Seal

# --- the attacker's tools --------------------------------------------------------------------


def sql(statement, params=()):
    with appendonly.suspended(), connection.cursor() as cur:
        cur.execute(statement, params)


def delete_seal(seal):
    sql("DELETE FROM decisions_seal WHERE id = %s", [seal.pk])


def delete_meeting(meeting):
    """The whole meeting: its statements, matters, attendance, amendments and seals."""
    matters = "SELECT id FROM decisions_matter WHERE meeting_id = %s"
    sql(f"DELETE FROM decisions_statement WHERE matter_id IN ({matters})", [meeting.pk])  # noqa: S608
    sql(f"DELETE FROM decisions_followup WHERE matter_id IN ({matters})", [meeting.pk])  # noqa: S608
    sql("DELETE FROM decisions_matter WHERE meeting_id = %s", [meeting.pk])
    sql("DELETE FROM decisions_attendance WHERE meeting_id = %s", [meeting.pk])
    sql("DELETE FROM decisions_seal WHERE meeting_id = %s", [meeting.pk])
    sql("DELETE FROM decisions_amendment WHERE meeting_id = %s", [meeting.pk])
    sql("DELETE FROM decisions_meeting WHERE id = %s", [meeting.pk])


def public_sha256(previous, content, at):
    return services.digest(previous, content, at, Seal.Scheme.SHA256)


def guessed_hmac(key):
    def run(previous, content, at):
        stamp = at.astimezone(datetime.UTC).isoformat()
        message = f"{previous}\n{stamp}\n{content}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    return run


def content_of(seal):
    if seal.kind == Seal.Kind.MEETING:
        return services.canonical_meeting(seal.meeting)
    return services.canonical_amendment(seal.amendment)


def recompute_chain(unit, link, scheme=None):
    """Renumber the unit's chain and recompute every link with `link` (the public function)."""
    previous = ""
    for position, seal in enumerate(Seal.objects.filter(unit=unit).order_by("position"), 1):
        new = link(previous, content_of(seal), seal.sealed_at)
        sql(
            "UPDATE decisions_seal SET position = %s, previous = %s, digest = %s, scheme = %s "
            "WHERE id = %s",
            [position + 1000, previous, new, scheme or seal.scheme, seal.pk],
        )
        previous = new
    sql("UPDATE decisions_seal SET position = position - 1000 WHERE unit_id = %s", [unit.pk])


def broken(capsys, *args) -> list[str]:
    """The BROKEN lines of `gongxiao verify-seals` (which must exit 1), in English."""
    with pytest.raises(SystemExit) as exit_, translation.override("en"):
        call_command("verify-seals", *args)
    assert exit_.value.code == 1
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("BROKEN")]


def clean(capsys, *args):
    call_command("verify-seals", *args)
    out = capsys.readouterr().out
    assert "BROKEN" not in out and "verified" in out
    return out


# --- a unit with three sealed meetings, the last with two amendments -------------------------


class Chain:
    def __init__(self, make_board):
        self.boards = [make_board() for _ in range(3)]
        self.seals = []
        for b in self.boards:
            b.all_agree()
            self.seals.append(services.seal_meeting(meeting=b.meeting, user=b.secretary))
        last = self.boards[-1]
        self.amendments = [
            services.amend(meeting=last.meeting, user=last.secretary, text=t)
            for t in ("第1项更正", "第2项更正")
        ]
        self.unit = last.meeting.unit
        self.meetings = [b.meeting for b in self.boards]

    def seal_of(self, amendment):
        return Seal.objects.get(amendment=amendment)


@pytest.fixture
def chain(make_board, capsys):
    c = Chain(make_board)
    assert Seal.objects.filter(unit=c.unit).count() == 5
    clean(capsys)
    return c


# --- shortened chains --------------------------------------------------------------------------


def test_the_last_amendment_deleted_with_its_seal(chain, capsys):
    last = chain.amendments[-1]
    delete_seal(chain.seal_of(last))
    sql("DELETE FROM decisions_amendment WHERE id = %s", [last.pk])
    lines = broken(capsys)
    assert any("shortened" in line and "5" in line and "4" in line for line in lines), lines


def test_the_last_seal_deleted_and_the_meeting_unsealed(make_board, capsys):
    b = make_board()
    b.all_agree()
    first = services.seal_meeting(meeting=b.meeting, user=b.secretary)
    b2 = make_board()
    b2.all_agree()
    last = services.seal_meeting(meeting=b2.meeting, user=b2.secretary)
    clean(capsys)
    delete_seal(last)
    sql(
        "UPDATE decisions_meeting SET sealed_at = NULL, sealed_by_id = NULL WHERE id = %s",
        [b2.meeting.pk],
    )
    # Without the anchors the database alone looks whole.
    assert services.verify_seals(anchors_path=_empty_anchors()) == []
    lines = broken(capsys)
    assert any("shortened" in line for line in lines), lines
    assert first.position == 1


def _empty_anchors():
    path = anchors.default_path().with_name("none.jsonl")
    path.write_text("")
    return path


def test_the_whole_last_meeting_deleted_with_its_seals(chain, capsys):
    delete_meeting(chain.meetings[-1])
    assert not Meeting.objects.filter(pk=chain.meetings[-1].pk).exists()
    lines = broken(capsys)
    assert any("shortened" in line and "5" in line and "2" in line for line in lines), lines


# --- removed in the middle ---------------------------------------------------------------------


def test_a_meeting_removed_in_the_middle(chain, capsys):
    delete_meeting(chain.meetings[1])
    lines = broken(capsys)
    assert any("chain is broken" in line for line in lines), lines
    assert any("anchors but not in the database" in line for line in lines), lines


def test_a_meeting_removed_in_the_middle_and_the_chain_renumbered(chain, capsys):
    delete_meeting(chain.meetings[1])
    recompute_chain(chain.unit, public_sha256)
    lines = broken(capsys)
    assert any("changed after sealing" in line for line in lines), lines
    assert any("differs from its anchor" in line for line in lines), lines
    assert any("shortened" in line for line in lines), lines


def test_an_amendment_removed_in_the_middle_is_a_broken_line_not_a_crash(chain, capsys):
    """Its seal still points at it (the constraint is checked at commit on SQLite, and an owner
    can drop it): verification names the missing amendment."""
    first = chain.amendments[0]
    with connection.constraint_checks_disabled():
        sql("DELETE FROM decisions_amendment WHERE id = %s", [first.pk])
    lines = broken(capsys)
    assert any("amendment sealed here is missing" in line for line in lines), lines
    delete_seal(chain.seal_of(first))  # the test database checks its constraints at the end


def test_an_amendment_removed_with_its_seal_in_the_middle(chain, capsys):
    first = chain.amendments[0]
    delete_seal(chain.seal_of(first))
    sql("DELETE FROM decisions_amendment WHERE id = %s", [first.pk])
    lines = broken(capsys)
    assert any("chain is broken" in line for line in lines), lines
    assert any("#4 " in line and "anchors but not" in line for line in lines), lines


# --- recomputed chains ----------------------------------------------------------------------


def _change_a_statement(chain):
    b = chain.boards[0]
    sql(
        "UPDATE decisions_statement SET position = %s WHERE matter_id = %s AND person_id = %s",
        ["disagree", b.matter.pk, b.members[0].pk],
    )


def test_a_statement_changed_and_the_chain_recomputed_with_public_sha256(chain, capsys):
    _change_a_statement(chain)
    recompute_chain(chain.unit, public_sha256)
    lines = broken(capsys)
    assert len([line for line in lines if "changed after sealing" in line]) == 5, lines


def test_the_same_passed_off_as_legacy_sha256_seals(chain, capsys):
    _change_a_statement(chain)
    recompute_chain(chain.unit, public_sha256, scheme=Seal.Scheme.SHA256)
    lines = broken(capsys)
    assert not any("changed after sealing" in line for line in lines)  # the digests add up...
    assert any("unkeyed (SHA-256) seal that the anchors file does not hold" in x for x in lines)
    assert any("differs from its anchor" in line for line in lines), lines  # ...not the anchors


def test_the_same_with_a_guessed_key(chain, capsys):
    _change_a_statement(chain)
    recompute_chain(chain.unit, guessed_hmac(hashlib.sha256(b"gongxiao dev seal key").digest()))
    lines = broken(capsys)
    assert any("changed after sealing" in line for line in lines), lines
    assert any("differs from its anchor" in line for line in lines), lines


def test_an_attacker_with_the_key_is_still_caught_by_the_anchors(chain, capsys):
    _change_a_statement(chain)
    recompute_chain(chain.unit, services.digest)
    lines = broken(capsys)
    assert not any("changed after sealing" in line for line in lines)
    assert len([line for line in lines if "differs from its anchor" in line]) == 5, lines


def test_with_the_key_and_the_anchors_file_only_a_copy_sent_upward_catches_it(
    chain, capsys, tmp_path
):
    """What the local anchors cannot do (docs/security.md): the copy of the anchors sent to the
    supervising body still disagrees."""
    upward = tmp_path / "sent-upward.jsonl"
    shutil.copy(anchors.default_path(), upward)
    _change_a_statement(chain)
    recompute_chain(chain.unit, services.digest)
    anchors.default_path().write_text("")  # the attacker rewrites the local file as well
    anchors.append(
        [
            anchors.line(
                unit_id=s.unit_id, count=s.position, digest=s.digest, sealed_at=s.sealed_at
            )
            for s in Seal.objects.order_by("unit_id", "position")
        ]
    )
    clean(capsys)
    lines = broken(capsys, "--anchors", str(upward))
    assert len([line for line in lines if "differs from its anchor" in line]) == 5, lines


# --- changed records and the anchors file itself -------------------------------------------


def test_a_changed_record(chain, capsys):
    sql("UPDATE decisions_amendment SET text = %s WHERE id = %s", ["篡改", chain.amendments[0].pk])
    lines = broken(capsys)
    assert len(lines) == 1 and "changed after sealing" in lines[0], lines


def test_a_deleted_anchors_file(chain, capsys):
    anchors.default_path().unlink()
    lines = broken(capsys)
    assert any("anchors file" in line and "missing" in line for line in lines), lines


def test_a_truncated_anchors_file_with_a_truncated_chain_is_caught_by_the_copy(
    chain, capsys, tmp_path
):
    upward = tmp_path / "sent-upward.jsonl"
    shutil.copy(anchors.default_path(), upward)
    last = chain.amendments[-1]
    delete_seal(chain.seal_of(last))
    sql("DELETE FROM decisions_amendment WHERE id = %s", [last.pk])
    path = anchors.default_path()
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))
    clean(capsys)
    assert any("shortened" in line for line in broken(capsys, "--anchors", str(upward)))


def test_a_garbled_anchors_file(chain, capsys):
    with anchors.default_path().open("a") as fh:
        fh.write("not json\n")
        fh.write(f'{{"unit": {chain.unit.pk}, "count": 1, "digest": "{"0" * 64}"}}\n')
    lines = broken(capsys)
    assert any("unreadable" in line for line in lines), lines
    assert any("second, different digest" in line for line in lines), lines


def test_a_dropped_trigger_is_reported(chain, capsys):
    with appendonly.suspended(tables=["decisions_seal"]):
        lines = broken(capsys)
    assert lines and all("append-only trigger" in line for line in lines), lines


# --- legacy seals (plain SHA-256, made before the key) ---------------------------------------


def _make_legacy(chain):
    """Turn the chain into what an instance sealed before the key holds, then run the data
    migration that anchors legacy seals."""
    anchors.default_path().unlink()
    recompute_chain(chain.unit, public_sha256, scheme=Seal.Scheme.SHA256)
    migration = importlib.import_module("gongxiao.decisions.migrations.0004_seal_scheme")

    class Editor:
        connection = connection

    from django.apps import apps

    migration.anchor_legacy_seals(apps, Editor())


def test_legacy_seals_still_verify_and_new_seals_are_keyed(chain, make_board, capsys):
    _make_legacy(chain)
    clean(capsys)
    b = make_board()
    b.all_agree()
    new = services.seal_meeting(meeting=b.meeting, user=b.secretary)
    assert new.scheme == "hmac-v1" and new.position == 6
    assert new.previous == Seal.objects.get(unit=chain.unit, position=5).digest
    clean(capsys)


def test_a_legacy_chain_changed_and_recomputed_is_caught(chain, capsys):
    _make_legacy(chain)
    _change_a_statement(chain)
    recompute_chain(chain.unit, public_sha256)
    lines = broken(capsys)
    assert any("unkeyed (SHA-256) seal that the anchors file does not hold" in x for x in lines)
    assert any("differs from its anchor" in line for line in lines), lines


def test_an_unkeyed_seal_after_keyed_ones_is_refused(chain, make_board, capsys):
    b = make_board()
    b.all_agree()
    seal = services.seal_meeting(meeting=b.meeting, user=b.secretary)
    forged = public_sha256(seal.previous, services.canonical_meeting(b.meeting), seal.sealed_at)
    sql(
        "UPDATE decisions_seal SET scheme = 'sha256', digest = %s WHERE id = %s",
        [forged, seal.pk],
    )
    lines = broken(capsys)
    assert any("unkeyed (SHA-256) seal after keyed ones" in line for line in lines), lines


# --- the anchors themselves ----------------------------------------------------------------


def test_each_seal_appends_one_anchor_line(chain):
    marks = anchors.read()
    assert marks.by_unit[chain.unit.pk] == {
        s.position: s.digest for s in Seal.objects.filter(unit=chain.unit)
    }
    import json

    lines = [json.loads(x) for x in anchors.default_path().read_text().splitlines()]
    assert set(lines[0]) == {"unit", "count", "digest", "sealed_at", "written_at"}
    assert [x["count"] for x in lines] == [1, 2, 3, 4, 5]


def test_seals_and_amendments_refuse_update_and_delete_in_the_database(chain):
    seal, amendment = chain.seals[0], chain.amendments[0]

    def refused(run):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            run()

    def raw(statement, params):
        def run():
            with connection.cursor() as cur:
                cur.execute(statement, params)

        return run

    for model, pk, field in ((Seal, seal.pk, "digest"), (Amendment, amendment.pk, "text")):
        table = model._meta.db_table
        refused(raw(f"UPDATE {table} SET {field} = %s WHERE id = %s", ["x", pk]))  # noqa: S608
        refused(raw(f"DELETE FROM {table} WHERE id = %s", [pk]))  # noqa: S608
        refused(lambda m=model, f=field, k=pk: m.objects.filter(pk=k).update(**{f: "x"}))
        refused(lambda m=model: models.QuerySet._raw_delete(m.objects.all(), "default"))
        if connection.vendor == "postgresql":
            # (Constraints checked now, so that only the trigger can be what refuses.)
            refused(raw(f"SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE {table} CASCADE", []))
    assert Seal.objects.get(pk=seal.pk).digest == seal.digest
    assert Amendment.objects.get(pk=amendment.pk).text == amendment.text
    assert services.verify_seals() == []
