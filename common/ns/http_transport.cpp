#include "ns/http_transport.hpp"

namespace psguard {

const char* to_string(TransportFailure failure) {
    switch (failure) {
        case TransportFailure::resolve:
            return "resolve";
        case TransportFailure::connect:
            return "connect";
        case TransportFailure::tls:
            return "tls";
        case TransportFailure::timeout:
            return "timeout";
        case TransportFailure::too_large:
            return "too_large";
        case TransportFailure::protocol:
            return "protocol";
        case TransportFailure::configuration:
            return "configuration";
    }
    return "unknown";
}

}  // namespace psguard
