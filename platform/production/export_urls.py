"""Schedule exports (CSV, Excel) and the per-person iCal feed of due dates."""

from django.urls import path

from . import exports

urlpatterns = [
    path("schedule/export.csv", exports.schedule_csv, name="schedule_csv"),
    path("schedule/export.xlsx", exports.schedule_xlsx, name="schedule_xlsx"),
    path("schedule/calendar/", exports.calendar_feed, name="calendar_feed"),
    path("schedule/calendar/new/", exports.calendar_feed_new, name="calendar_feed_new"),
    path("schedule/calendar/revoke/", exports.calendar_feed_revoke, name="calendar_feed_revoke"),
    # No sign-in: the token is the credential (production.feeds).
    path("calendar/<str:token>.ics", exports.calendar_ics, name="calendar_ics"),
]
