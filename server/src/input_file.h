// OpenInputFile: opens a file named on the command line for reading, or
// says why it cannot. Private to the server's CLI and its file flags.
//
// std::ifstream opens a directory without complaint on Linux and only the
// first read fails, which callers reported as "reading failed" or as an
// empty file; this names the reason instead.
#ifndef TESSERA_SERVER_INPUT_FILE_H_
#define TESSERA_SERVER_INPUT_FILE_H_

#include <fstream>
#include <string>

namespace tessera::server {

// Opens `path` in binary mode into `in`. Returns "" on success, else why it
// cannot be read ("it is a directory", or the system's reason such as "No
// such file or directory"), for a message naming the file.
std::string OpenInputFile(const std::string& path, std::ifstream& in);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_INPUT_FILE_H_
