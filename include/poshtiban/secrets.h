/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef POSHTIBAN_SECRETS_H
#define POSHTIBAN_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "poshtiban/catalog.h"
#include "poshtiban/project.h"
#include "poshtiban/settings.h"

/*
 * Whether the scheduled run (`poshtiban auto` from cron, which sees none of
 * the shell's variables) will find each password it needs (README,
 * "Passwords for the scheduled run"): the off-site repository's when
 * off-site copies are on, the mail server's when mail with a login is on.
 * A password is found in a private password file (*_password_file), or in
 * a variable the crontab itself sets.
 */

/* One password the scheduled run needs and will not find. */
struct pt_secret_gap {
    const char *setting; /* the *_password_file setting that fixes it */
    char *problem;       /* translated sentence */
    char **fix;          /* the shell commands that fix it, in order */
    size_t n_fix;
};

struct pt_secret_gaps {
    struct pt_secret_gap *items;
    size_t n;
};

enum {
    PT_SECRETS_ENABLED = 0,      /* what the settings switch on */
    PT_SECRETS_OFFSITE = 1 << 0, /* the repository password even when off-site copies are off */
};

/*
 * Looks at the settings, the password files and the crontab (`crontab -l`);
 * writes nothing and never fails: what it cannot read is a gap. The
 * commands write the password to a file of mode 600 under
 * ~/.config/poshtiban/ (from the variable when this shell has it) and set
 * *_password_file. Free out with pt_secret_gaps_free().
 */
void pt_secrets_check(const struct pt_project *project, struct pt_catalog *catalog, unsigned flags,
                      struct pt_secret_gaps *out);
void pt_secret_gaps_free(struct pt_secret_gaps *gaps);

/* Whether changing the setting id may leave the scheduled run without a password. */
bool pt_secrets_setting(enum pt_setting_id id);

#endif
