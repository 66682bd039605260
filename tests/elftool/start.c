/* Entry point of the test ELF files linked by tests/e2e/elftool.bats: never
 * run, only parsed by wisp-elftool query-manifest / query-abi. */
void _start(void);
void _start(void)
{
    for (;;) {
    }
}
