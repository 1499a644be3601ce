"""The pure capacity core, on weeks worked out by hand.

The week of 2026-11-21: Saturday 21 and Sunday 22 are the weekend, Monday 23 is 勤労感謝の
日 (Labour Thanksgiving Day), Tuesday 24 and Wednesday 25 are worked, and the shop is
closed on Thursday 26 and Friday 27 (it moves a machine); then the weekend again and
Monday 30 is worked. Two shifts of 8 hours: 16 hours a machine-day at speed 1.
"""

from __future__ import annotations

from datetime import date

from shops.capacity import (
    Calendar,
    Closure,
    Machine,
    capacity_h,
    days,
    earliest_finish,
    public_holidays,
    working_days,
)

WEEKENDS_OFF = Calendar(hours_per_shift=8, shifts_per_day=2, weekly_days_off=frozenset({6, 7}))
MOVE = Closure(date(2026, 11, 26), date(2026, 11, 27), "設備移設")
MACHINES = (
    Machine("laser", 1.5),
    Machine("laser", 0.5),  # the two lasers: 16 × (1.5 + 0.5) = 32 h a day
    Machine("bend", 1.0),  # 16 h a day
    Machine("bend", 2.0, active=False),  # out of use: adds nothing
)
SAT_21 = date(2026, 11, 21)
#        Sa21   Su22   Mo23   Tu24  We25  Th26   Fr27   Sa28   Su29   Mo30  Tu 1  We 2  Th 3  Fr 4
WORKED = [False, False, False, True, True, False, False, False, False, True, True, True, True, True]


def test_weekends_a_public_holiday_and_a_closure_are_not_worked():  # type: ignore[no-untyped-def]
    assert working_days(WEEKENDS_OFF, [MOVE], SAT_21, 14) == WORKED


def test_the_holiday_is_named_in_japanese_and_english():  # type: ignore[no-untyped-def]
    assert public_holidays(SAT_21, 14) == {date(2026, 11, 23): "勤労感謝の日"}
    assert public_holidays(SAT_21, 14, "en_US") == {date(2026, 11, 23): "Labor Thanksgiving Day"}
    monday = days(WEEKENDS_OFF, [MOVE], SAT_21, 14)[2]
    assert (monday.holiday, monday.working, monday.weekly_off, monday.closure) == (
        "勤労感謝の日",
        False,
        False,
        None,
    )
    thursday = days(WEEKENDS_OFF, [MOVE], SAT_21, 14)[5]
    assert (thursday.closure, thursday.working) == ("設備移設", False)


def test_a_shop_that_works_public_holidays_works_the_23rd():  # type: ignore[no-untyped-def]
    works_holidays = Calendar(8, 2, frozenset({6, 7}), observes_public_holidays=False)
    assert working_days(works_holidays, [MOVE], SAT_21, 14)[2] is True
    # It is still a holiday on the calendar, named, only worked.
    assert days(works_holidays, [MOVE], SAT_21, 14)[2].holiday == "勤労感謝の日"


def test_capacity_is_machine_hours_on_working_days_only():  # type: ignore[no-untyped-def]
    found = capacity_h(WEEKENDS_OFF, MACHINES, [MOVE], SAT_21, 14)
    assert found == {
        "laser": tuple(32.0 if w else 0.0 for w in WORKED),
        "bend": tuple(16.0 if w else 0.0 for w in WORKED),
    }


def test_a_year_end_closure_spans_new_years_day():  # type: ignore[no-untyped-def]
    # Monday 2026-12-28 … Wednesday 2027-01-06; closed 29 December to 4 January.
    year_end = Closure(date(2026, 12, 29), date(2027, 1, 4), "年末年始休業")
    start = date(2026, 12, 28)
    assert public_holidays(start, 10) == {date(2027, 1, 1): "元日"}
    assert working_days(WEEKENDS_OFF, [year_end], start, 10) == [True] + [False] * 7 + [True] * 2
    assert days(WEEKENDS_OFF, [year_end], start, 10)[4].holiday == "元日"


def test_earliest_finish_puts_the_processes_in_order_into_free_hours():  # type: ignore[no-untyped-def]
    cap = capacity_h(WEEKENDS_OFF, MACHINES, [MOVE], SAT_21, 14)
    # Laser 40 h: 32 on the 24th, 64 by the 25th. Bend 20 h from the 25th: 16 on the 25th,
    # nothing until the 30th, 32 by then.
    assert earliest_finish(cap, {"laser": 40, "bend": 20}, None, SAT_21) == date(2026, 11, 30)
    # Within the first 9 days (to the 29th) the bending does not fit.
    short = {p: row[:9] for p, row in cap.items()}
    assert earliest_finish(short, {"laser": 40, "bend": 20}, None, SAT_21) is None


def test_booked_hours_push_the_finish_later():  # type: ignore[no-untyped-def]
    cap = capacity_h(WEEKENDS_OFF, MACHINES, [MOVE], SAT_21, 14)
    booked = {"laser": [0, 0, 0, 30]}  # 2 h of laser left on the 24th
    # Laser: 2 + 32 = 34 h by the 25th, 66 by the 30th. Bend from the 30th: 16, then 32
    # by 1 December.
    found = earliest_finish(cap, {"laser": 40, "bend": 20}, booked, SAT_21)
    assert found == date(2026, 12, 1)


def test_work_that_fits_on_the_first_working_day_finishes_that_day():  # type: ignore[no-untyped-def]
    cap = capacity_h(WEEKENDS_OFF, MACHINES, [MOVE], SAT_21, 14)
    assert earliest_finish(cap, {"laser": 32, "bend": 16}, None, SAT_21) == date(2026, 11, 24)
    assert earliest_finish(cap, {"laser": 0}, None, SAT_21) == SAT_21


def test_a_process_without_a_machine_never_finishes():  # type: ignore[no-untyped-def]
    cap = capacity_h(WEEKENDS_OFF, MACHINES, [MOVE], SAT_21, 14)
    assert earliest_finish(cap, {"laser": 1, "weld": 1}, None, SAT_21) is None
