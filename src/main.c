#include <stdio.h>
#include "pgd_config.h"
int main(void) { printf("pgdrift %s\n", PGD_VERSION); return 0; }
