#include <windows.h>

#include <aclapi.h>
#include <bcrypt.h>
#include <sddl.h>

#include <array>
#include <fstream>
#include <memory>

#include "core/utf8_path.hpp"
#include "endpoint/token_file.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

constexpr std::size_t kMaxTokenFileBytes = 4096;

// SYSTEM and Administrators full control, nothing inherited from the folder.
constexpr wchar_t kTokenFileSddl[] = L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";

// Rights that let a holder read the token, or give themselves the right to.
constexpr ACCESS_MASK kReadingRights =
    FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | WRITE_DAC | WRITE_OWNER;

// Security descriptors and SID strings the system allocates go back through LocalFree.
struct LocalFreeDeleter {
    void operator()(void* p) const noexcept { LocalFree(p); }
};
using LocalDescriptor = std::unique_ptr<void, LocalFreeDeleter>;

std::string sid_text(PSID sid) {
    wchar_t* text = nullptr;
    if (!ConvertSidToStringSidW(sid, &text)) {
        return "?";
    }
    std::string result = to_utf8(text);
    LocalFree(text);
    std::array<wchar_t, 256> name{};
    std::array<wchar_t, 256> domain{};
    DWORD name_chars = static_cast<DWORD>(name.size());
    DWORD domain_chars = static_cast<DWORD>(domain.size());
    SID_NAME_USE use{};
    if (LookupAccountSidW(nullptr, sid, name.data(), &name_chars, domain.data(), &domain_chars,
                          &use)) {
        const std::wstring_view domain_view(domain.data(), domain_chars);
        result = (domain_view.empty() ? std::string() : to_utf8(domain_view) + "\\") +
                 to_utf8(std::wstring_view(name.data(), name_chars)) + " (" + result + ")";
    }
    return result;
}

bool is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type) {
    std::array<BYTE, SECURITY_MAX_SID_SIZE> buffer{};
    DWORD size = static_cast<DWORD>(buffer.size());
    if (!CreateWellKnownSid(type, nullptr, buffer.data(), &size)) {
        return false;
    }
    return EqualSid(sid, buffer.data()) != FALSE;
}

// The allow entries of `dacl` that let someone other than SYSTEM and Administrators read.
std::string readers_in(PACL dacl) {
    if (dacl == nullptr) {
        return "Everyone (the file has no DACL)";
    }
    ACL_SIZE_INFORMATION info{};
    if (!GetAclInformation(dacl, &info, sizeof(info), AclSizeInformation)) {
        return "unknown readers (the DACL cannot be walked: " + win_error_text(GetLastError()) +
               ")";
    }
    std::string readers;
    for (DWORD i = 0; i < info.AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) {
            continue;
        }
        const auto* header = static_cast<const ACE_HEADER*>(ace);
        // Deny ACEs only take rights away; inherit-only ACEs do not apply to the file itself.
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE ||
            (header->AceFlags & INHERIT_ONLY_ACE) != 0) {
            continue;
        }
        auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
        if ((allowed->Mask & kReadingRights) == 0) {
            continue;
        }
        PSID sid = &allowed->SidStart;
        if (is_well_known(sid, WinLocalSystemSid) ||
            is_well_known(sid, WinBuiltinAdministratorsSid)) {
            continue;
        }
        readers += (readers.empty() ? "" : ", ") + sid_text(sid);
    }
    return readers;
}

// Who besides SYSTEM and Administrators may read the file: empty when no one.
Result<std::string> other_readers(const std::filesystem::path& file) {
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR raw = nullptr;
    const DWORD error =
        GetNamedSecurityInfoW(file.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, &dacl, nullptr, &raw);
    if (error != ERROR_SUCCESS) {
        return fail(path_to_utf8(file) +
                    ": cannot read the token file's permissions: " + win_error_text(error));
    }
    LocalDescriptor descriptor(raw);
    return readers_in(dacl);
}

Status random_bytes(std::span<unsigned char> out) {
    const NTSTATUS status = BCryptGenRandom(nullptr, out.data(), static_cast<ULONG>(out.size()),
                                            BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (!BCRYPT_SUCCESS(status)) {
        return fail("BCryptGenRandom failed (NTSTATUS " +
                    std::to_string(static_cast<unsigned long>(status)) + ")");
    }
    return {};
}

}  // namespace

Result<std::string> other_token_readers(const std::wstring& sddl) {
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("not a security descriptor: " + to_utf8(sddl));
    }
    LocalDescriptor descriptor(raw);
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    if (!GetSecurityDescriptorDacl(raw, &present, &dacl, &defaulted)) {
        return fail("cannot read the DACL: " + win_error_text(GetLastError()));
    }
    return readers_in(present ? dacl : nullptr);
}

Result<std::string> read_token_file(const std::filesystem::path& file) {
    auto readers = other_readers(file);
    if (!readers) {
        return readers.error();
    }
    if (!readers->empty()) {
        return fail(path_to_utf8(file) + ": besides SYSTEM and Administrators, " + *readers +
                    " may read the token; run: icacls \"" + path_to_utf8(file) +
                    "\" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(path_to_utf8(file) + ": cannot open the token file");
    }
    std::string content(kMaxTokenFileBytes + 1, '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxTokenFileBytes) {
        return fail(path_to_utf8(file) + ": the token file is larger than 4 KiB");
    }
    return parse_token_text(content, file);
}

Result<std::string> create_token_file(const std::filesystem::path& file) {
    std::array<unsigned char, kGeneratedTokenBytes> bytes{};
    if (auto random = random_bytes(bytes); !random) {
        return random.error();
    }
    const std::string token = hex_encode(bytes);

    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(kTokenFileSddl, SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("cannot build the token file's security descriptor: " +
                    win_error_text(GetLastError()));
    }
    LocalDescriptor descriptor(raw);
    SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), raw, FALSE};

    // A new file (CREATE_NEW) gets the descriptor above from its first moment (an existing one
    // would keep its own); renamed over the old token, readers never see half a token.
    std::filesystem::path temporary = file;
    temporary += L".new";
    DeleteFileW(temporary.c_str());  // a leftover of an interrupted run, if any
    {
        WinHandle handle(CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, &attributes, CREATE_NEW,
                                     FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!handle) {
            return fail("cannot create " + path_to_utf8(temporary) + ": " +
                        win_error_text(GetLastError()));
        }
        const std::string line = token + "\r\n";
        DWORD written = 0;
        if (!WriteFile(handle.get(), line.data(), static_cast<DWORD>(line.size()), &written,
                       nullptr) ||
            written != line.size() || !FlushFileBuffers(handle.get())) {
            const DWORD error = GetLastError();
            handle.reset();
            DeleteFileW(temporary.c_str());
            return fail("cannot write " + path_to_utf8(temporary) + ": " + win_error_text(error));
        }
    }
    if (!MoveFileExW(temporary.c_str(), file.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const DWORD error = GetLastError();
        DeleteFileW(temporary.c_str());
        return fail("cannot rename " + path_to_utf8(temporary) + " to " + path_to_utf8(file) +
                    ": " + win_error_text(error));
    }
    return token;
}

}  // namespace psguard
