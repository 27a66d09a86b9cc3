#ifndef MOORING_CLIBGIT2_SHIM_H
#define MOORING_CLIBGIT2_SHIM_H

#include <git2.h>

/* git_libgit2_opts is variadic and so not callable from Swift: fixed-argument wrappers. */

static inline int mooring_git_opts_set_int(int option, int value) {
    return git_libgit2_opts(option, value);
}

static inline int mooring_git_opts_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

static inline int mooring_git_opts_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

#endif
