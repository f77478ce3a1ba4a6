// WinHTTP: the system's certificate store, the system proxy, and Windows integrated
// authentication (Negotiate/NTLM) as the service account or a configured user.
//
// With ns.ca_file, WinHTTP is told to accept an unknown root and psguard verifies the chain
// itself, against that CA and the host name, right after the TLS handshake and before any
// request body or credential is sent (credentials only ever answer a 401 challenge).
// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <wincrypt.h>
#include <winhttp.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/utf8_path.hpp"
#include "ns/http_transport.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

#ifndef WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY
#define WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY 4
#endif
#ifndef WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3
#define WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3 0x00002000
#endif

namespace psguard {
namespace {

void close_cert_store(HCERTSTORE store) {
    CertCloseStore(store, 0);
}
using InternetHandle = UniqueWin<HINTERNET, &::WinHttpCloseHandle>;
using CertContext = UniqueWin<PCCERT_CONTEXT, &::CertFreeCertificateContext>;
using CertStore = UniqueWin<HCERTSTORE, &close_cert_store>;
using CertChain = UniqueWin<PCCERT_CHAIN_CONTEXT, &::CertFreeCertificateChain>;

TransportError winhttp_error(DWORD code, std::string_view stage) {
    const std::string text = std::string(stage) + ": WinHTTP error " + std::to_string(code);
    switch (code) {
        case ERROR_WINHTTP_TIMEOUT:
            return {TransportFailure::timeout, std::string(stage) + ": timed out"};
        case ERROR_WINHTTP_NAME_NOT_RESOLVED:
            return {TransportFailure::resolve, text + " (host name not resolved)"};
        case ERROR_WINHTTP_CANNOT_CONNECT:
        case ERROR_WINHTTP_CONNECTION_ERROR:
            return {TransportFailure::connect, text + " (cannot connect)"};
        case ERROR_WINHTTP_SECURE_FAILURE:
        case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
        case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
        case ERROR_WINHTTP_SECURE_INVALID_CA:
        case ERROR_WINHTTP_SECURE_CERT_REV_FAILED:
        case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
        case ERROR_WINHTTP_SECURE_INVALID_CERT:
        case ERROR_WINHTTP_SECURE_CERT_REVOKED:
            return {TransportFailure::tls,
                    text + " (TLS: certificate not trusted or handshake failed)"};
        default:
            return {TransportFailure::protocol, text};
    }
}

// The certificates of a PEM or DER file, as a memory store.
Result<CertStore> load_ca_store(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail("cannot open ns.ca_file " + path_to_utf8(file));
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CertStore store(CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr));
    if (!store) {
        return fail("CertOpenStore failed");
    }
    const auto add_der = [&](const BYTE* der, DWORD size) {
        return CertAddEncodedCertificateToStore(store.get(), X509_ASN_ENCODING, der, size,
                                                CERT_STORE_ADD_ALWAYS, nullptr) != FALSE;
    };
    constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
    constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
    std::size_t added = 0;
    for (std::size_t at = bytes.find(kBegin); at != std::string::npos;
         at = bytes.find(kBegin, at + 1)) {
        const auto end = bytes.find(kEnd, at);
        if (end == std::string::npos) {
            break;
        }
        const std::string pem = bytes.substr(at, end + kEnd.size() - at);
        DWORD size = 0;
        if (!CryptStringToBinaryA(pem.c_str(), static_cast<DWORD>(pem.size()),
                                  CRYPT_STRING_BASE64HEADER, nullptr, &size, nullptr, nullptr)) {
            continue;
        }
        std::vector<BYTE> der(size);
        if (CryptStringToBinaryA(pem.c_str(), static_cast<DWORD>(pem.size()),
                                 CRYPT_STRING_BASE64HEADER, der.data(), &size, nullptr, nullptr) &&
            add_der(der.data(), size)) {
            ++added;
        }
    }
    if (added == 0 && !bytes.empty() &&
        add_der(reinterpret_cast<const BYTE*>(bytes.data()), static_cast<DWORD>(bytes.size()))) {
        added = 1;  // a DER file
    }
    if (added == 0) {
        return fail("ns.ca_file " + path_to_utf8(file) + " holds no certificate (PEM or DER)");
    }
    return store;
}

// The server's chain must end in a certificate of `ca_store` and name `host`.
std::optional<TransportError> verify_against_ca(HINTERNET request, HCERTSTORE ca_store,
                                                const std::string& host) {
    PCCERT_CONTEXT raw = nullptr;
    DWORD size = sizeof(raw);
    if (!WinHttpQueryOption(request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &raw, &size) || !raw) {
        return TransportError{TransportFailure::tls, "TLS: the server sent no certificate"};
    }
    CertContext server(raw);
    CERT_CHAIN_PARA para{};
    para.cbSize = sizeof(para);
    PCCERT_CHAIN_CONTEXT chain_raw = nullptr;
    if (!CertGetCertificateChain(nullptr, server.get(), nullptr, ca_store, &para,
                                 CERT_CHAIN_CACHE_END_CERT, nullptr, &chain_raw)) {
        return TransportError{TransportFailure::tls, "TLS: cannot build the certificate chain"};
    }
    CertChain chain(chain_raw);
    if (chain->cChain == 0 || chain->rgpChain[0]->cElement == 0) {
        return TransportError{TransportFailure::tls, "TLS: empty certificate chain"};
    }
    const auto* simple = chain->rgpChain[0];
    const PCCERT_CONTEXT root = simple->rgpElement[simple->cElement - 1]->pCertContext;
    // The root must be one of ns.ca_file's certificates, byte for byte.
    PCCERT_CONTEXT match = CertFindCertificateInStore(ca_store, X509_ASN_ENCODING, 0,
                                                      CERT_FIND_EXISTING, root, nullptr);
    if (!match) {
        return TransportError{TransportFailure::tls,
                              "TLS: the server's certificate is not issued by ns.ca_file's CA"};
    }
    CertFreeCertificateContext(match);
    // Everything else (dates, usage, host name) is checked by the SSL policy; only "unknown
    // root" is forgiven, because that root was just matched against ns.ca_file.
    std::wstring server_name = to_wide(host);
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl{};
    ssl.cbSize = sizeof(ssl);
    ssl.dwAuthType = AUTHTYPE_SERVER;
    ssl.fdwChecks = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    ssl.pwszServerName = server_name.data();
    CERT_CHAIN_POLICY_PARA policy{};
    policy.cbSize = sizeof(policy);
    policy.pvExtraPolicyPara = &ssl;
    CERT_CHAIN_POLICY_STATUS status{};
    status.cbSize = sizeof(status);
    if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain.get(), &policy, &status) ||
        status.dwError != 0) {
        return TransportError{TransportFailure::tls,
                              "TLS: the server's certificate failed verification for " + host +
                                  " (error " + std::to_string(status.dwError) + ")"};
    }
    return std::nullopt;
}

class WinHttpTransport final : public HttpTransport {
  public:
    explicit WinHttpTransport(TransportOptions options) : options_(std::move(options)) {}

    TransportOutcome post_form(const std::string& path_and_query,
                               const std::string& form_body) override {
        TransportOutcome outcome;
        auto result = exchange(path_and_query, form_body);
        if (std::holds_alternative<TransportError>(result)) {
            outcome.error = std::get<TransportError>(std::move(result));
        } else {
            outcome.response = std::get<HttpResponse>(std::move(result));
        }
        return outcome;
    }

  private:
    using Exchange = std::variant<HttpResponse, TransportError>;

    Exchange exchange(const std::string& path_and_query, const std::string& form_body) {
        std::optional<CertStore> ca_store;
        if (options_.ca_file) {
            auto store = load_ca_store(*options_.ca_file);
            if (!store) {
                return TransportError{TransportFailure::configuration, store.error().message};
            }
            ca_store = std::move(store).value();
        }
        const std::wstring agent = L"psguard/" + to_wide(PSGUARD_VERSION);
        InternetHandle session(WinHttpOpen(agent.c_str(), WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY,
                                           WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
        if (!session) {
            // Before Windows 8.1 there is no automatic proxy: fall back to the configured one.
            session.reset(WinHttpOpen(agent.c_str(), WINHTTP_ACCESS_TYPE_DEFAULT_PROXY,
                                      WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
        }
        if (!session) {
            return winhttp_error(GetLastError(), "WinHttpOpen");
        }
        const int timeout_ms = static_cast<int>(options_.timeout.count());
        WinHttpSetTimeouts(session.get(), timeout_ms, timeout_ms, timeout_ms, timeout_ms);
        DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
        if (!WinHttpSetOption(session.get(), WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                              sizeof(protocols))) {
            protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;  // no TLS 1.3 on this Windows
            WinHttpSetOption(session.get(), WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                             sizeof(protocols));
        }

        const std::wstring host = to_wide(options_.endpoint.host);
        InternetHandle connection(
            WinHttpConnect(session.get(), host.c_str(), options_.endpoint.port, 0));
        if (!connection) {
            return winhttp_error(GetLastError(), "connect to " + options_.endpoint.host);
        }
        const std::wstring path = to_wide(path_and_query);
        const wchar_t* accept[] = {L"text/xml", nullptr};
        InternetHandle request(
            WinHttpOpenRequest(connection.get(), L"POST", path.c_str(), nullptr, WINHTTP_NO_REFERER,
                               accept, options_.endpoint.https ? WINHTTP_FLAG_SECURE : 0));
        if (!request) {
            return winhttp_error(GetLastError(), "WinHttpOpenRequest");
        }
        if (ca_store) {
            DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
            WinHttpSetOption(request.get(), WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags));
        }
        if (options_.auth == AuthType::negotiate && options_.username.empty()) {
            // Let WinHTTP answer Negotiate/NTLM challenges as the service's own account.
            DWORD policy = WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW;
            WinHttpSetOption(request.get(), WINHTTP_OPTION_AUTOLOGON_POLICY, &policy,
                             sizeof(policy));
        }

        const std::wstring headers = L"Content-Type: application/x-www-form-urlencoded\r\n";
        bool credentials_set = false;
        for (int round = 0; round < 3; ++round) {
            if (!WinHttpSendRequest(request.get(), headers.c_str(),
                                    static_cast<DWORD>(headers.size()), WINHTTP_NO_REQUEST_DATA, 0,
                                    static_cast<DWORD>(form_body.size()), 0)) {
                return winhttp_error(GetLastError(), "send");
            }
            if (ca_store && options_.endpoint.https) {
                if (auto problem =
                        verify_against_ca(request.get(), ca_store->get(), options_.endpoint.host)) {
                    return *problem;  // nothing but the request line and headers went out
                }
            }
            DWORD written = 0;
            if (!form_body.empty() &&
                !WinHttpWriteData(request.get(), form_body.data(),
                                  static_cast<DWORD>(form_body.size()), &written)) {
                return winhttp_error(GetLastError(), "send body");
            }
            if (!WinHttpReceiveResponse(request.get(), nullptr)) {
                return winhttp_error(GetLastError(), "receive");
            }
            const DWORD status = query_status(request.get());
            if (status == 401 && !credentials_set && options_.auth != AuthType::none) {
                if (!set_credentials(request.get())) {
                    return winhttp_error(GetLastError(), "set credentials");
                }
                credentials_set = true;
                continue;  // answer the challenge
            }
            return read_response(request.get(), status);
        }
        return TransportError{TransportFailure::protocol, "authentication did not complete"};
    }

    static DWORD query_status(HINTERNET request) {
        DWORD status = 0;
        DWORD size = sizeof(status);
        WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                            WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX);
        return status;
    }

    bool set_credentials(HINTERNET request) const {
        DWORD supported = 0;
        DWORD first = 0;
        DWORD target = 0;
        if (!WinHttpQueryAuthSchemes(request, &supported, &first, &target)) {
            return false;
        }
        DWORD scheme = 0;
        if (options_.auth == AuthType::basic) {
            scheme = WINHTTP_AUTH_SCHEME_BASIC;
        } else if (supported & WINHTTP_AUTH_SCHEME_NEGOTIATE) {
            scheme = WINHTTP_AUTH_SCHEME_NEGOTIATE;
        } else {
            scheme = WINHTTP_AUTH_SCHEME_NTLM;
        }
        const std::wstring user = to_wide(options_.username);
        const std::wstring password = to_wide(options_.password);
        return WinHttpSetCredentials(request, WINHTTP_AUTH_TARGET_SERVER, scheme,
                                     user.empty() ? nullptr : user.c_str(),
                                     user.empty() ? nullptr : password.c_str(), nullptr) != FALSE;
    }

    Exchange read_response(HINTERNET request, DWORD status) const {
        HttpResponse response;
        response.status = static_cast<int>(status);
        wchar_t content_type[256] = {};
        DWORD type_size = sizeof(content_type);
        if (WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_TYPE, WINHTTP_HEADER_NAME_BY_INDEX,
                                content_type, &type_size, WINHTTP_NO_HEADER_INDEX)) {
            response.content_type = to_utf8(content_type);
        }
        std::optional<std::uint64_t> declared;
        wchar_t length_text[32] = {};
        DWORD length_size = sizeof(length_text);
        if (WinHttpQueryHeaders(request, WINHTTP_QUERY_CONTENT_LENGTH, WINHTTP_HEADER_NAME_BY_INDEX,
                                length_text, &length_size, WINHTTP_NO_HEADER_INDEX)) {
            declared = std::wcstoull(length_text, nullptr, 10);
            if (*declared > options_.max_response_bytes) {
                return TransportError{TransportFailure::too_large, "receive: the answer declares " +
                                                                       std::to_string(*declared) +
                                                                       " bytes, over the limit"};
            }
        }
        std::vector<char> chunk(64 * 1024);
        for (;;) {
            DWORD read = 0;
            if (!WinHttpReadData(request, chunk.data(), static_cast<DWORD>(chunk.size()), &read)) {
                return winhttp_error(GetLastError(), "receive body");
            }
            if (read == 0) {
                break;
            }
            if (response.body.size() + read > options_.max_response_bytes) {
                return TransportError{TransportFailure::too_large,
                                      "receive: the answer is larger than the limit"};
            }
            response.body.append(chunk.data(), read);
        }
        if (declared && response.body.size() != *declared) {
            return TransportError{TransportFailure::protocol,
                                  "receive: truncated answer (" +
                                      std::to_string(response.body.size()) + " of " +
                                      std::to_string(*declared) + " bytes)"};
        }
        return response;
    }

    TransportOptions options_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_http_transport(TransportOptions options) {
    return std::make_unique<WinHttpTransport>(std::move(options));
}

}  // namespace psguard
