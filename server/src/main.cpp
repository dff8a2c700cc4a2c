#include "tessera/server/cli.h"

int main(int argc, char** argv) { return tessera::server::RunCli(argc, argv); }
