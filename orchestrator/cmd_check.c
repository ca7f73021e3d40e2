/* `galore check campaign.yaml`: validate a campaign file and print it with defaults filled in. */
#include <stdio.h>
#include <string.h>

#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"

const char orc_usage_check[] =
    "usage: galore check CAMPAIGN.yaml\n"
    "       galore check --doc\n"
    "\n"
    "Validates a campaign file. On success prints the effective campaign (every key, defaults\n"
    "filled in, quantities in galore's units) as YAML and exits 0; on error prints where and what\n"
    "is wrong (file:line:column: key: problem) and exits 2.\n"
    "--doc prints the Markdown reference of every key (docs/campaign.md).\n";

int orc_cmd_check(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--doc") == 0) {
        orc_campaign_write_doc(stdout);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-')
        return orc_cli_usage_error("check", "needs exactly one campaign file");
    static orc_campaign c;
    al_err err;
    al_err_clear(&err);
    if (orc_campaign_load(argv[1], &c, &err) != AL_OK) {
        fprintf(stderr, "galore check: %s\n", err.msg);
        return 2;
    }
    orc_campaign_write_yaml(&c, stdout);
    return 0;
}
