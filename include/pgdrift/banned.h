/*
 * banned.h - functions pgdrift code must not call (git's banned.h).
 * A use of a banned function fails to compile with a name that says why.
 */
#ifndef PGDRIFT_BANNED_H
#define PGDRIFT_BANNED_H

/*
 * Meson force-includes this header (-include) into every file of src/, so
 * the C library headers that declare the banned functions are read first;
 * their include guards then make later #include lines no-ops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PGD_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) PGD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PGD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PGD_BANNED(strncpy)
#undef sprintf
#define sprintf(...) PGD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PGD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PGD_BANNED(strtok)
#undef atoi
#define atoi(x) PGD_BANNED(atoi)
#undef atol
#define atol(x) PGD_BANNED(atol)
#undef gets
#define gets(x) PGD_BANNED(gets)

#endif
