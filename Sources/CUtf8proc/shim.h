// utf8proc through a hand-written module map: its pkg-config file adds -DUTF8PROC_EXPORTS, which SwiftPM rejects.
#include <utf8proc.h>
