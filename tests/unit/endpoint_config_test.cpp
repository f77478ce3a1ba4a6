// The endpoint's settings: loopback by default, anything else only with a token file and TLS.
#include <gtest/gtest.h>

#include "endpoint/endpoint_config.hpp"

namespace psguard {
namespace {

TEST(EndpointConfig, DefaultsAreLoopbackAndValid) {
    const EndpointConfig config;
    EXPECT_EQ(config.bind_address, "127.0.0.1");
    EXPECT_EQ(config.port, 9631);
    EXPECT_TRUE(config.token_file.empty());
    EXPECT_EQ(config.max_connections, 256u);
    EXPECT_EQ(config.read_timeout, std::chrono::seconds(10));
    EXPECT_EQ(config.max_header_bytes, 8192u);
    EXPECT_TRUE(validate(config).ok());
}

TEST(EndpointConfig, RecognisesLoopback) {
    for (const char* address : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
        EXPECT_TRUE(is_loopback_address(address)) << address;
    }
    for (const char* address : {"0.0.0.0", "::", "10.0.0.5", "::ffff:10.0.0.5", "localhost", "",
                                "127.0.0.1:80", "[::1]", "[::1]:80", " 127.0.0.1", "fe80::1"}) {
        EXPECT_FALSE(is_loopback_address(address)) << address;
    }
}

TEST(EndpointConfig, NonLoopbackNeedsATokenFile) {
    EndpointConfig config;
    config.bind_address = "0.0.0.0";
    config.tls.required = false;
    const auto refused = validate(config);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("endpoint.token_file"), std::string::npos);
    config.token_file = "/etc/psguard/endpoint.token";
    EXPECT_TRUE(validate(config).ok());
    config.bind_address = "::1";
    config.token_file.clear();
    EXPECT_TRUE(validate(config).ok());
}

TEST(EndpointConfig, NonLoopbackNeedsTlsUnlessPlainHttpIsAskedFor) {
    EndpointConfig config;
    config.bind_address = "10.0.0.5";
    config.token_file = "/etc/psguard/endpoint.token";
    EXPECT_TRUE(tls_required(config));
    const auto refused = validate(config);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("must speak TLS"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("endpoint.tls.cert_file"), std::string::npos);

    config.tls.cert_file = "/etc/psguard/endpoint.pem";
    config.tls.key_file = "/etc/psguard/endpoint.key";
    EXPECT_TRUE(validate(config).ok());
    config.tls = {};
    config.tls.required = false;
    EXPECT_TRUE(validate(config).ok());

    // On loopback TLS is optional, unless required explicitly.
    config = {};
    EXPECT_FALSE(tls_required(config));
    config.tls.required = true;
    ASSERT_FALSE(validate(config).ok());
    EXPECT_NE(validate(config).error().message.find("endpoint.tls.required"), std::string::npos);
}

TEST(EndpointConfig, TlsFilesGoTogether) {
    EndpointConfig config;
    config.tls.cert_file = "/etc/psguard/endpoint.pem";
    ASSERT_FALSE(validate(config).ok());
    EXPECT_NE(validate(config).error().message.find("cert_file is set without key_file"),
              std::string::npos);
    config.tls = {};
    config.tls.key_file = "/etc/psguard/endpoint.key";
    EXPECT_FALSE(validate(config).ok());
    config.tls = {};
    config.tls.client_ca_file = "/etc/psguard/clients.pem";
    ASSERT_FALSE(validate(config).ok());
    EXPECT_NE(validate(config).error().message.find("client_ca_file"), std::string::npos);
    config.tls.cert_file = "/etc/psguard/endpoint.pem";
    config.tls.key_file = "/etc/psguard/endpoint.key";
    EXPECT_TRUE(validate(config).ok());
}

TEST(EndpointConfig, RefusesHostNamesAndBadLimits) {
    EndpointConfig config;
    config.bind_address = "localhost";
    ASSERT_FALSE(validate(config).ok());
    EXPECT_NE(validate(config).error().message.find("endpoint.bind"), std::string::npos);

    for (const char* with_port : {"127.0.0.1:80", "[::1]:80"}) {
        config.bind_address = with_port;
        EXPECT_FALSE(validate(config).ok()) << with_port;
    }

    config = {};
    config.max_connections = 0;
    EXPECT_FALSE(validate(config).ok());
    config.max_connections = kMaxEndpointConnections + 1;
    EXPECT_FALSE(validate(config).ok());

    config = {};
    config.read_timeout = std::chrono::seconds(0);
    EXPECT_FALSE(validate(config).ok());

    config = {};
    config.max_header_bytes = 100;
    EXPECT_FALSE(validate(config).ok());

    config = {};
    config.port = 0;  // ephemeral, for tests
    EXPECT_TRUE(validate(config).ok());
}

}  // namespace
}  // namespace psguard
