/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* mkostemp */
/*
 * Bytes of a file to UTF-8 text, and files in and out. The Cisco client wrote .pcf files as
 * UTF-16LE with a BOM (newer releases) or in the Windows ANSI code page (older ones), always
 * with CRLF; vpnc and evc files are UTF-8. Everything is decoded to UTF-8 once, here, so the
 * parsers only ever see one encoding.
 */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/file.h"
#include "profiles/prof_int.h"
#include "lib/i18n.h"

static unsigned line_of(const char *text, size_t len)
{
	unsigned n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). Returns the offset
 * of the first bad byte, or len. */
static size_t utf8_valid_prefix(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

bool prof_utf8_valid(const char *s)
{
	size_t n = strlen(s);
	return utf8_valid_prefix((const uint8_t *)s, n) == n;
}

/* Converts with iconv; on failure reports the line reached so far. */
static int convert(const char *from, const uint8_t *in, size_t len, struct prof_diag *d, char **out,
                   size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		prof_emit(d, PROF_ERROR, 0, NULL, _("cannot decode %s text on this system"), from);
		return -EINVAL;
	}
	/* UTF-16 needs at most 3 output bytes per 2 input bytes, Windows-1252 3 per byte. */
	size_t cap = len * 3 + 1;
	char *buf = malloc(cap);
	int rc = 0;
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	char *ip = (char *)(uintptr_t)in, *op = buf;
	size_t il = len, ol = cap - 1;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		unsigned line = line_of(buf, (size_t)(op - buf));
		if (errno == EINVAL)
			prof_emit(
			    d, PROF_ERROR, line, NULL,
			    _("the file ends in the middle of a %s character: it is truncated"),
			    from);
		else
			prof_emit(
			    d, PROF_ERROR, line, NULL,
			    _("byte %zu is not valid %s: the file is damaged or not a text file"),
			    (size_t)(ip - (const char *)in), from);
		free(buf);
		rc = -EINVAL;
		goto out;
	}
	*op = '\0';
	*out = buf;
	*outlen = (size_t)(op - buf);
out:
	iconv_close(cd);
	return rc;
}

int prof_text_decode(const uint8_t *buf, size_t len, unsigned flags, struct prof_diag *d,
                     char **out, size_t *outlen, const char **encoding)
{
	const char *enc = "UTF-8";
	int rc;

	*out = NULL;
	*outlen = 0;
	if (len > PROF_FILE_MAX) {
		prof_emit(d, PROF_ERROR, 0, NULL,
		          _("the file has %zu bytes; profiles are at most %u"), len,
		          (unsigned)PROF_FILE_MAX);
		return -EFBIG;
	}
	if ((flags & PROF_TEXT_UTF16) && len >= 2 && buf[0] == 0xff && buf[1] == 0xfe) {
		enc = "UTF-16LE", buf += 2, len -= 2;
	} else if ((flags & PROF_TEXT_UTF16) && len >= 2 && buf[0] == 0xfe && buf[1] == 0xff) {
		enc = "UTF-16BE", buf += 2, len -= 2;
	} else if ((flags & PROF_TEXT_UTF16) && len >= 4 && buf[0] && !buf[1] && buf[2] &&
	           !buf[3]) {
		enc = "UTF-16LE"; /* no BOM, but ASCII in 16-bit units */
	} else if ((flags & PROF_TEXT_UTF16) && len >= 4 && !buf[0] && buf[1] && !buf[2] &&
	           buf[3]) {
		enc = "UTF-16BE";
	} else if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf) {
		buf += 3, len -= 3;
	}

	if (strcmp(enc, "UTF-8") != 0) {
		rc = convert(enc, buf, len, d, out, outlen);
		if (rc)
			return rc;
	} else {
		size_t ok = utf8_valid_prefix(buf, len);
		if (ok < len && (flags & PROF_TEXT_CP1252)) {
			enc = "WINDOWS-1252";
			rc = convert(enc, buf, len, d, out, outlen);
			if (rc)
				return rc;
		} else if (ok < len) {
			prof_emit(d, PROF_ERROR, line_of((const char *)buf, ok), NULL,
			          _("byte %zu is not valid UTF-8: save the file as UTF-8"), ok);
			return -EINVAL;
		} else {
			*out = malloc(len + 1);
			if (!*out)
				return -ENOMEM;
			memcpy(*out, buf, len);
			(*out)[len] = '\0';
			*outlen = len;
		}
	}
	/* Some Windows tools end a UTF-16 file with NUL characters; they carry nothing. */
	while (*outlen && (*out)[*outlen - 1] == '\0')
		(*out)[--*outlen] = '\0';
	const char *nul = memchr(*out, '\0', *outlen);
	if (nul) {
		prof_emit(d, PROF_ERROR, line_of(*out, (size_t)(nul - *out)), NULL,
		          _("the line holds a NUL character: the file is binary or in another "
		            "encoding"));
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	if (encoding)
		*encoding = enc;
	return 0;
}

int prof_read_file(const char *path, size_t max, uint8_t **out, size_t *len, struct stat *stp,
                   char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int rc = 0;
	/* O_NONBLOCK: a FIFO given as a profile must not hang the caller before fstat. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, _("%s is not a regular file"), path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = -EFBIG;
		snprintf(err, errlen, _("%s has %lld bytes; at most %zu are read"), path,
		         (long long)st.st_size, max);
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, _("out of memory reading %s"), path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			rc = -EFBIG;
			snprintf(err, errlen, _("%s grew past %zu bytes while being read"), path,
			         max);
			goto out;
		}
	}
	*out = buf;
	*len = got;
	if (stp)
		*stp = st;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}
int prof_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	/* profiles hold no secrets but are private: 0600, the writer's ids */
	return file_write_atomic(path, data, len, 0600, (uid_t)-1, (gid_t)-1, err, errlen);
}

/* mkdir -p with mode 0700 for every directory it creates. */
int prof_mkdirs(const char *dir, char *err, size_t errlen)
{
	char buf[4200];
	struct stat sb;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
		snprintf(err, errlen, _("the path %s is too long"), dir);
		return -ENAMETOOLONG;
	}
	for (char *s = buf + 1;; s++) {
		bool end = *s == '\0';
		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			int rc = -errno;
			snprintf(err, errlen, _("cannot create %s: %s"), buf, strerror(errno));
			return rc;
		}
		if (end)
			break;
		*s = '/';
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, _("%s is not a directory"), dir);
		return -ENOTDIR;
	}
	return 0;
}
