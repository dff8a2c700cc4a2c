// `tessera-server check-artifact --site SITE --file FILE`: the checks the
// admin API makes before it publishes an artifact, run on a file with no
// database or server, so a CI job can refuse a broken artifact kept in
// version control before anyone tries to publish it. Private to the server.
#ifndef TESSERA_SERVER_ARTIFACT_CLI_H_
#define TESSERA_SERVER_ARTIFACT_CLI_H_

#include <string>

namespace tessera::server {

struct CheckArtifactOptions {
  std::string site;  // required: the site it is to be published for
  std::string file;  // required; "-" is stdin
};

// 0 when the artifact would be published (a summary on stdout); 1 when not:
// each problem on stderr as "FILE: PATH: MESSAGE", or why the file could
// not be read or parsed.
int RunCheckArtifact(const CheckArtifactOptions& options);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_ARTIFACT_CLI_H_
