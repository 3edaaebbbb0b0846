"""Opening hours: as written (syntax), at a moment (opening), as stored in HSDS rows (schedules)."""
