/*
 * http_date.c: HTTP-date (RFC 9110 §5.6.7), parsed and formatted without
 * the locale: the day and month names come from the tables below, and
 * timegm() and gmtime_r() convert.
 *
 * The parser is strict: exactly one of the three forms, names spelled
 * and capitalized as the RFC has them, single spaces, every field in
 * range (the day against the month, leap years included), and nothing
 * after the last field.  It does not check that the weekday matches the
 * date.  A second of 60 is accepted (RFC 5322 allows a leap second) and
 * becomes second 0 of the next minute.  Dates before 1970 are in the
 * past for every use a proxy has for them, and a negative time_t would
 * be ambiguous with the error value, so they parse as 0.
 *
 * An rfc850-date has a two-digit year.  RFC 9110 §5.6.7 makes it the
 * latest year with those digits that is not more than 50 years after
 * the current time, so this one form depends on the clock: in 2026,
 * "01-Jan-70" is 2070.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

/* 9999-12-31 23:59:59 UTC, the last time a 4-digit year can show. */
#define HTTP_DATE_MAX	253402300799LL

static const char *const http_date_wkday[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

static const char *const http_date_weekday[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

static const char *const http_date_month[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/* If *sp starts with lit, skips it and returns 1; else returns 0. */
static int
http_date_lit(const char **sp, const char *lit)
{
	size_t	 n = strlen(lit);

	if (strncmp(*sp, lit, n) != 0)
		return (0);
	*sp += n;
	return (1);
}

/* Reads exactly n ASCII digits at *sp into *v; returns 0 or -1. */
static int
http_date_digits(const char **sp, int n, int *v)
{
	const char	*p = *sp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++, p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		*v = *v * 10 + (*p - '0');
	}
	*sp = p;
	return (0);
}

/* Reads one of the names in tab[0..n) at *sp; returns its index or -1. */
static int
http_date_name(const char **sp, const char *const *tab, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (http_date_lit(sp, tab[i]))
			return (i);
	return (-1);
}

/* Reads a month name at *sp into tm->tm_mon; returns 0 or -1. */
static int
http_date_mon(const char **sp, struct tm *tm)
{
	tm->tm_mon = http_date_name(sp, http_date_month, 12);
	return (tm->tm_mon == -1 ? -1 : 0);
}

/* Reads "HH:MM:SS" (RFC 9110 time-of-day) at *sp into tm. */
static int
http_date_time(const char **sp, struct tm *tm)
{
	if (http_date_digits(sp, 2, &tm->tm_hour) == -1 ||
	    !http_date_lit(sp, ":") ||
	    http_date_digits(sp, 2, &tm->tm_min) == -1 ||
	    !http_date_lit(sp, ":") ||
	    http_date_digits(sp, 2, &tm->tm_sec) == -1)
		return (-1);
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
		return (-1);
	return (0);
}

/* The number of days in month mon (0-11) of year. */
static int
http_date_mdays(int year, int mon)
{
	static const int	 days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (mon == 1 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return (29);
	return (days[mon]);
}

/* Compares a and b as UTC calendar times: <0, 0 or >0. */
static int
http_date_cmp(const struct tm *a, const struct tm *b)
{
	if (a->tm_year != b->tm_year)
		return (a->tm_year < b->tm_year ? -1 : 1);
	if (a->tm_mon != b->tm_mon)
		return (a->tm_mon < b->tm_mon ? -1 : 1);
	if (a->tm_mday != b->tm_mday)
		return (a->tm_mday < b->tm_mday ? -1 : 1);
	if (a->tm_hour != b->tm_hour)
		return (a->tm_hour < b->tm_hour ? -1 : 1);
	if (a->tm_min != b->tm_min)
		return (a->tm_min < b->tm_min ? -1 : 1);
	if (a->tm_sec != b->tm_sec)
		return (a->tm_sec < b->tm_sec ? -1 : 1);
	return (0);
}

/*
 * Sets tm->tm_year from the two-digit year yy of an rfc850-date: the
 * latest such year that is not more than 50 years from now (RFC 9110
 * §5.6.7).  Compares calendar fields, so no time_t can overflow.
 */
static void
http_date_century(int yy, struct tm *tm)
{
	struct tm	 limit;
	time_t		 now = time(NULL);

	if (gmtime_r(&now, &limit) == NULL) {
		memset(&limit, 0, sizeof(limit));
		limit.tm_year = 70;
		limit.tm_mday = 1;
	}
	limit.tm_year += 50;
	/* tm_year counts from 1900; start a century past now + 50 */
	tm->tm_year = (limit.tm_year + 1900) - (limit.tm_year + 1900) % 100 +
	    yy + 100 - 1900;
	while (http_date_cmp(tm, &limit) > 0)
		tm->tm_year -= 100;
}

/* IMF-fixdate after "Sun,": " 06 Nov 1994 08:49:37 GMT". */
static int
http_date_imf(const char *p, struct tm *tm)
{
	int	 year;

	if (!http_date_lit(&p, " ") ||
	    http_date_digits(&p, 2, &tm->tm_mday) == -1 ||
	    !http_date_lit(&p, " ") || http_date_mon(&p, tm) == -1 ||
	    !http_date_lit(&p, " ") || http_date_digits(&p, 4, &year) == -1 ||
	    !http_date_lit(&p, " ") || http_date_time(&p, tm) == -1 ||
	    !http_date_lit(&p, " GMT") || *p != '\0')
		return (-1);
	tm->tm_year = year - 1900;
	return (0);
}

/* rfc850-date after "Sunday,": " 06-Nov-94 08:49:37 GMT". */
static int
http_date_rfc850(const char *p, struct tm *tm)
{
	int	 yy;

	if (!http_date_lit(&p, " ") ||
	    http_date_digits(&p, 2, &tm->tm_mday) == -1 ||
	    !http_date_lit(&p, "-") || http_date_mon(&p, tm) == -1 ||
	    !http_date_lit(&p, "-") || http_date_digits(&p, 2, &yy) == -1 ||
	    !http_date_lit(&p, " ") || http_date_time(&p, tm) == -1 ||
	    !http_date_lit(&p, " GMT") || *p != '\0')
		return (-1);
	http_date_century(yy, tm);
	return (0);
}

/* asctime-date after "Sun": " Nov  6 08:49:37 1994" (or "Nov 06"). */
static int
http_date_asctime(const char *p, struct tm *tm)
{
	int	 year;

	if (!http_date_lit(&p, " ") || http_date_mon(&p, tm) == -1 ||
	    !http_date_lit(&p, " "))
		return (-1);
	if (http_date_lit(&p, " ")) {
		if (http_date_digits(&p, 1, &tm->tm_mday) == -1)
			return (-1);
	} else if (http_date_digits(&p, 2, &tm->tm_mday) == -1)
		return (-1);
	if (!http_date_lit(&p, " ") || http_date_time(&p, tm) == -1 ||
	    !http_date_lit(&p, " ") || http_date_digits(&p, 4, &year) == -1 ||
	    *p != '\0')
		return (-1);
	tm->tm_year = year - 1900;
	return (0);
}

/* Parses an HTTP-date in any of its three forms; -1 if s is not one. */
time_t
http_date_parse(const char *s)
{
	struct tm	 tm;
	const char	*p = s;
	int		 rc;

	if (s == NULL)
		return (-1);
	memset(&tm, 0, sizeof(tm));
	/* "Sunday," before "Sun", which is its prefix */
	if (http_date_name(&p, http_date_weekday, 7) != -1)
		rc = http_date_lit(&p, ",") ? http_date_rfc850(p, &tm) : -1;
	else if (http_date_name(&p, http_date_wkday, 7) != -1) {
		if (http_date_lit(&p, ","))
			rc = http_date_imf(p, &tm);
		else
			rc = http_date_asctime(p, &tm);
	} else
		rc = -1;
	if (rc == -1 || tm.tm_mday < 1 ||
	    tm.tm_mday > http_date_mdays(tm.tm_year + 1900, tm.tm_mon))
		return (-1);
	if (tm.tm_year < 70)
		return (0);
	tm.tm_isdst = 0;
	/* -1 here only if time_t cannot hold the date (32-bit, 2038) */
	return (timegm(&tm));
}

/* Writes t as an IMF-fixdate into buf (len >= 30). */
void
http_date_format(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (len == 0)
		return;
	/* a 4-digit year and no pre-epoch times */
	if (t < 0)
		t = 0;
	if ((long long)t > HTTP_DATE_MAX)
		t = (time_t)HTTP_DATE_MAX;
	if (gmtime_r(&t, &tm) == NULL) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    http_date_wkday[tm.tm_wday], tm.tm_mday, http_date_month[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
