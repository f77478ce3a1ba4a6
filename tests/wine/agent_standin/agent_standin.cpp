// A STAND-IN for the Symantec agent's automation objects, for the Wine tests only (never
// shipped): no real agent can run here. An in-process COM server that implements, late-bound
// through IDispatch, the surface the ASDK documents and psguard calls:
//   Altiris.AeXNSClient: ClientPolicyMgr, UpdatePolicies(ignoreBlockouts)
//     ClientPolicyMgr: ClientAgent("Altiris.AeXNSCPkgSvr"), Refresh()
//       Package Server agent: RefreshPackages(), ResendPackagesStatus(), Packages
//         (a collection: _NewEnum, Count, Item) of packages with Name, Status, NS, PolicyId,
//         PreviousStatus, Time, PackageOriginator, PackageVersion, PackageSize,
//         IsCustomLocation, CleanupAfter, Id
//   Altiris.AeXNSEvent: To, Priority, AddDataClass(x), AddDataBlock(dataClass), SendQueued()
//     data block: AddRow(); row: SetField(index, value)
// Every call and its arguments is appended to the file named by PSGUARD_STANDIN_LOG, one line
// each: member and arguments, tab-separated. Its package list comes from the file named by
// PSGUARD_STANDIN_PACKAGES (lines: Id, Name, Status, PackageVersion, IsCustomLocation, tab-
// separated). PSGUARD_STANDIN_WATCH names a file whose presence is recorded with
// ResendPackagesStatus (so a test sees whether the heal had moved it first).
// PSGUARD_STANDIN_FAIL names one member that raises an error instead (E_FAIL).
// Registration: regsvr32 (DllRegisterServer / DllUnregisterServer).
#include <windows.h>
// (after windows.h)
#include <ole2.h>
#include <oleauto.h>

#include <cwchar>
#include <fstream>
#include <string>
#include <vector>

namespace {

// The stand-in's own class ids (the real agent's do not matter: psguard goes by ProgID).
const CLSID kClientClsid = {
    0x5e1f7a10, 0x3c2b, 0x4d6e, {0x9a, 0x01, 0x7b, 0x2c, 0x11, 0x0d, 0x4e, 0x01}};
const CLSID kEventClsid = {
    0x5e1f7a10, 0x3c2b, 0x4d6e, {0x9a, 0x01, 0x7b, 0x2c, 0x11, 0x0d, 0x4e, 0x02}};
const wchar_t* kClientProgId = L"Altiris.AeXNSClient";
const wchar_t* kEventProgId = L"Altiris.AeXNSEvent";

HMODULE g_module = nullptr;
LONG g_objects = 0;

std::wstring env(const wchar_t* name) {
    wchar_t buffer[2048];
    const DWORD n = GetEnvironmentVariableW(name, buffer, 2048);
    return n > 0 && n < 2048 ? std::wstring(buffer, n) : std::wstring();
}

std::string utf8(const std::wstring& wide) {
    if (wide.empty()) {
        return {};
    }
    const int n = WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()),
                                      nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<size_t>(n), '\0');
    WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), out.data(), n,
                        nullptr, nullptr);
    return out;
}

std::wstring text_of(const VARIANT& value) {
    VARIANT copy;
    VariantInit(&copy);
    if (FAILED(
            VariantChangeType(&copy, const_cast<VARIANT*>(&value), VARIANT_ALPHABOOL, VT_BSTR))) {
        return L"<" + std::to_wstring(value.vt) + L">";
    }
    std::wstring text(copy.bstrVal, SysStringLen(copy.bstrVal));
    VariantClear(&copy);
    return text;
}

void record(const std::wstring& member, const std::vector<std::wstring>& args = {}) {
    const std::wstring file = env(L"PSGUARD_STANDIN_LOG");
    if (file.empty()) {
        return;
    }
    std::string line = utf8(member);
    for (const auto& arg : args) {
        line += "\t" + utf8(arg);
    }
    std::ofstream out(file.c_str(), std::ios::app | std::ios::binary);
    out << line << "\n";
}

bool should_fail(const std::wstring& member) {
    return _wcsicmp(env(L"PSGUARD_STANDIN_FAIL").c_str(), member.c_str()) == 0;
}

HRESULT raise(EXCEPINFO* info, const std::wstring& what) {
    if (info != nullptr) {
        *info = EXCEPINFO{};
        info->scode = E_FAIL;
        info->bstrSource = SysAllocString(L"stand-in agent");
        info->bstrDescription = SysAllocString((what + L" failed (stand-in)").c_str());
    }
    return DISP_E_EXCEPTION;
}

// The arguments in call order (IDispatch passes them last first), by value or by reference.
std::vector<const VARIANT*> arguments(const DISPPARAMS* params) {
    std::vector<const VARIANT*> args;
    for (UINT i = params->cArgs; i > 0; --i) {
        const VARIANT* arg = &params->rgvarg[i - 1];
        if (arg->vt == (VT_BYREF | VT_VARIANT)) {
            arg = arg->pvarVal;
        }
        args.push_back(arg);
    }
    return args;
}

void set_dispatch(VARIANT* result, IDispatch* object) {
    if (result != nullptr) {
        VariantInit(result);
        result->vt = VT_DISPATCH;
        result->pdispVal = object;  // the caller owns the reference
    } else {
        object->Release();
    }
}

void set_string(VARIANT* result, const std::wstring& text) {
    if (result != nullptr) {
        VariantInit(result);
        result->vt = VT_BSTR;
        result->bstrVal = SysAllocStringLen(text.data(), static_cast<UINT>(text.size()));
    }
}

// IUnknown for one interface: a reference count starting at one (the creator's), deleted at
// zero, counted in g_objects for DllCanUnloadNow.
template <typename Interface, const IID* Iid>
class Unknown : public Interface {
  public:
    Unknown() { InterlockedIncrement(&g_objects); }
    virtual ~Unknown() { InterlockedDecrement(&g_objects); }
    Unknown(const Unknown&) = delete;
    Unknown& operator=(const Unknown&) = delete;

    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID iid, void** out) override {
        if (iid == IID_IUnknown || iid == *Iid) {
            *out = static_cast<Interface*>(this);
            AddRef();
            return S_OK;
        }
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return InterlockedIncrement(&refs_); }
    ULONG STDMETHODCALLTYPE Release() override {
        const LONG left = InterlockedDecrement(&refs_);
        if (left == 0) {
            delete this;
        }
        return left;
    }

  private:
    LONG refs_ = 1;
};

// IDispatch by name: members are looked up case-insensitively, as scripts expect.
class Object : public Unknown<IDispatch, &IID_IDispatch> {
  public:
    explicit Object(std::vector<std::wstring> members) : members_(std::move(members)) {}

    HRESULT STDMETHODCALLTYPE GetTypeInfoCount(UINT* count) override {
        *count = 0;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE GetTypeInfo(UINT, LCID, ITypeInfo**) override { return E_NOTIMPL; }
    HRESULT STDMETHODCALLTYPE GetIDsOfNames(REFIID, LPOLESTR* names, UINT count, LCID,
                                            DISPID* ids) override {
        HRESULT hr = S_OK;
        for (UINT n = 0; n < count; ++n) {
            ids[n] = DISPID_UNKNOWN;
            for (size_t i = 0; i < members_.size(); ++i) {
                if (_wcsicmp(names[n], members_[i].c_str()) == 0) {
                    ids[n] = static_cast<DISPID>(i + 1);
                }
            }
            if (ids[n] == DISPID_UNKNOWN) {
                hr = DISP_E_UNKNOWNNAME;
            }
        }
        return hr;
    }
    HRESULT STDMETHODCALLTYPE Invoke(DISPID id, REFIID, LCID, WORD flags, DISPPARAMS* params,
                                     VARIANT* result, EXCEPINFO* info, UINT*) override {
        if (id == DISPID_NEWENUM) {
            return invoke(L"_NewEnum", flags, arguments(params), result, info);
        }
        if (id < 1 || static_cast<size_t>(id) > members_.size()) {
            return DISP_E_MEMBERNOTFOUND;
        }
        const std::wstring& member = members_[static_cast<size_t>(id - 1)];
        if (should_fail(member)) {
            record(member, {L"(failing)"});
            return raise(info, member);
        }
        return invoke(member, flags, arguments(params), result, info);
    }

  protected:
    virtual HRESULT invoke(const std::wstring& member, WORD flags,
                           const std::vector<const VARIANT*>& args, VARIANT* result,
                           EXCEPINFO* info) = 0;

  private:
    std::vector<std::wstring> members_;
};

// ---- the Package Server agent ----

struct PackageData {
    std::wstring id, name, status, version;
    bool custom = false;
};

std::vector<PackageData> load_packages() {
    std::vector<PackageData> packages;
    const std::wstring file = env(L"PSGUARD_STANDIN_PACKAGES");
    std::ifstream in(file.c_str(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::wstring> cells;
        size_t start = 0;
        while (true) {
            const size_t tab = line.find('\t', start);
            const std::string cell = line.substr(start, tab - start);
            cells.emplace_back(cell.begin(), cell.end());  // ASCII test data
            if (tab == std::string::npos) {
                break;
            }
            start = tab + 1;
        }
        if (cells.size() >= 5) {
            packages.push_back({cells[0], cells[1], cells[2], cells[3], cells[4] == L"1"});
        }
    }
    return packages;
}

class Package final : public Object {
  public:
    explicit Package(PackageData data)
        : Object({L"Name", L"Status", L"NS", L"PolicyId", L"PreviousStatus", L"Time",
                  L"PackageOriginator", L"PackageVersion", L"PackageSize", L"IsCustomLocation",
                  L"CleanupAfter", L"Id"}),
          data_(std::move(data)) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>&,
                   VARIANT* result, EXCEPINFO*) override {
        if (result == nullptr) {
            return S_OK;
        }
        VariantInit(result);
        if (member == L"Time") {
            result->vt = VT_DATE;
            SYSTEMTIME t{2026, 11, 0, 26, 6, 30, 0, 0};
            SystemTimeToVariantTime(&t, &result->date);
        } else if (member == L"PackageSize") {
            result->vt = VT_I4;
            result->lVal = 100;
        } else if (member == L"IsCustomLocation") {
            result->vt = VT_BOOL;
            result->boolVal = data_.custom ? VARIANT_TRUE : VARIANT_FALSE;
        } else {
            const std::wstring text = member == L"Name"                ? data_.name
                                      : member == L"Status"            ? data_.status
                                      : member == L"NS"                ? L"NS01"
                                      : member == L"PolicyId"          ? data_.id
                                      : member == L"PreviousStatus"    ? L"Downloading"
                                      : member == L"PackageVersion"    ? data_.version
                                      : member == L"CleanupAfter"      ? L""
                                      : member == L"PackageOriginator" ? L"NS01"
                                                                       : data_.id;
            set_string(result, text);
        }
        return S_OK;
    }

  private:
    PackageData data_;
};

class Enumerator final : public Unknown<IEnumVARIANT, &IID_IEnumVARIANT> {
  public:
    explicit Enumerator(std::vector<PackageData> items) : items_(std::move(items)) {}
    HRESULT STDMETHODCALLTYPE Next(ULONG wanted, VARIANT* out, ULONG* fetched) override {
        ULONG n = 0;
        for (; n < wanted && next_ < items_.size(); ++n, ++next_) {
            VariantInit(&out[n]);
            out[n].vt = VT_DISPATCH;
            out[n].pdispVal = new Package(items_[next_]);
        }
        if (fetched != nullptr) {
            *fetched = n;
        }
        return n == wanted ? S_OK : S_FALSE;
    }
    HRESULT STDMETHODCALLTYPE Skip(ULONG n) override {
        next_ += n;
        return next_ <= items_.size() ? S_OK : S_FALSE;
    }
    HRESULT STDMETHODCALLTYPE Reset() override {
        next_ = 0;
        return S_OK;
    }
    HRESULT STDMETHODCALLTYPE Clone(IEnumVARIANT**) override { return E_NOTIMPL; }

  private:
    std::vector<PackageData> items_;
    size_t next_ = 0;
};

class Packages final : public Object {
  public:
    Packages() : Object({L"Count", L"Item"}), items_(load_packages()) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>& args,
                   VARIANT* result, EXCEPINFO* info) override {
        if (member == L"_NewEnum") {
            if (result != nullptr) {
                VariantInit(result);
                result->vt = VT_UNKNOWN;
                result->punkVal = new Enumerator(items_);
            }
            return S_OK;
        }
        if (member == L"Count") {
            if (result != nullptr) {
                VariantInit(result);
                result->vt = VT_I4;
                result->lVal = static_cast<LONG>(items_.size());
            }
            return S_OK;
        }
        const size_t index =
            args.empty() ? 0 : static_cast<size_t>(_wtoi(text_of(*args[0]).c_str()));
        if (index >= items_.size()) {
            return raise(info, L"Item");
        }
        set_dispatch(result, new Package(items_[index]));
        return S_OK;
    }

  private:
    std::vector<PackageData> items_;
};

class PackageServerAgent final : public Object {
  public:
    PackageServerAgent() : Object({L"RefreshPackages", L"ResendPackagesStatus", L"Packages"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>&,
                   VARIANT* result, EXCEPINFO*) override {
        if (member == L"Packages") {
            record(member);
            set_dispatch(result, new Packages());
            return S_OK;
        }
        std::vector<std::wstring> detail;
        if (member == L"ResendPackagesStatus") {
            const std::wstring watched = env(L"PSGUARD_STANDIN_WATCH");
            if (!watched.empty()) {
                const bool present = GetFileAttributesW(watched.c_str()) != INVALID_FILE_ATTRIBUTES;
                detail.push_back(present ? L"watched file present" : L"watched file absent");
            }
        }
        record(member, detail);
        return S_OK;
    }
};

class PolicyManager final : public Object {
  public:
    PolicyManager() : Object({L"ClientAgent", L"Refresh"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>& args,
                   VARIANT* result, EXCEPINFO* info) override {
        std::vector<std::wstring> shown;
        for (const VARIANT* arg : args) {
            shown.push_back(text_of(*arg));
        }
        record(L"ClientPolicyMgr." + member, shown);
        if (member == L"Refresh") {
            return S_OK;
        }
        if (shown.size() != 1 || _wcsicmp(shown[0].c_str(), L"Altiris.AeXNSCPkgSvr") != 0) {
            return raise(info, L"ClientAgent");
        }
        set_dispatch(result, new PackageServerAgent());
        return S_OK;
    }
};

class Client final : public Object {
  public:
    Client() : Object({L"ClientPolicyMgr", L"UpdatePolicies"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>& args,
                   VARIANT* result, EXCEPINFO*) override {
        if (member == L"ClientPolicyMgr") {
            set_dispatch(result, new PolicyManager());
            return S_OK;
        }
        std::vector<std::wstring> shown;
        for (const VARIANT* arg : args) {
            shown.push_back(text_of(*arg));
        }
        record(member, shown);
        return S_OK;
    }
};

// ---- Altiris.AeXNSEvent ----

class DataRow final : public Object {
  public:
    DataRow() : Object({L"SetField"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>& args,
                   VARIANT*, EXCEPINFO* info) override {
        if (args.size() != 2) {
            return raise(info, member);
        }
        record(member, {text_of(*args[0]), text_of(*args[1])});
        return S_OK;
    }
};

class DataBlock final : public Object {
  public:
    DataBlock() : Object({L"AddRow"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD, const std::vector<const VARIANT*>&,
                   VARIANT* result, EXCEPINFO*) override {
        record(member);
        set_dispatch(result, new DataRow());
        return S_OK;
    }
};

class DataClass final : public Object {
  public:
    explicit DataClass(std::wstring name) : Object({L"Name"}), name_(std::move(name)) {}

  protected:
    HRESULT invoke(const std::wstring&, WORD, const std::vector<const VARIANT*>&, VARIANT* result,
                   EXCEPINFO*) override {
        set_string(result, name_);
        return S_OK;
    }

  private:
    std::wstring name_;
};

class Event final : public Object {
  public:
    Event() : Object({L"To", L"Priority", L"AddDataClass", L"AddDataBlock", L"SendQueued"}) {}

  protected:
    HRESULT invoke(const std::wstring& member, WORD flags, const std::vector<const VARIANT*>& args,
                   VARIANT* result, EXCEPINFO* info) override {
        if (member == L"To" || member == L"Priority") {
            if ((flags & DISPATCH_PROPERTYPUT) != 0 && args.size() == 1) {
                record(L"put " + member, {text_of(*args[0])});
                return S_OK;
            }
            set_string(result, L"");
            return S_OK;
        }
        if (member == L"AddDataClass") {
            if (args.size() != 1) {
                return raise(info, member);
            }
            record(member, {text_of(*args[0])});
            set_dispatch(result, new DataClass(text_of(*args[0])));
            return S_OK;
        }
        if (member == L"AddDataBlock") {
            // The data class object that AddDataClass returned: its name says which it is.
            if (args.size() != 1 || args[0]->vt != VT_DISPATCH || args[0]->pdispVal == nullptr) {
                return raise(info, member);
            }
            DISPPARAMS none{nullptr, nullptr, 0, 0};
            VARIANT name;
            VariantInit(&name);
            args[0]->pdispVal->Invoke(1, IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &name, nullptr,
                                      nullptr);
            record(member, {text_of(name)});
            VariantClear(&name);
            set_dispatch(result, new DataBlock());
            return S_OK;
        }
        record(member);  // SendQueued
        return S_OK;
    }
};

// ---- the COM plumbing ----

class Factory final : public Unknown<IClassFactory, &IID_IClassFactory> {
  public:
    explicit Factory(bool event) : event_(event) {}
    HRESULT STDMETHODCALLTYPE CreateInstance(IUnknown* outer, REFIID iid, void** out) override {
        *out = nullptr;
        if (outer != nullptr) {
            return CLASS_E_NOAGGREGATION;
        }
        if (!event_) {
            record(L"CreateObject", {kClientProgId});
        }
        Object* object = event_ ? static_cast<Object*>(new Event()) : new Client();
        const HRESULT hr = object->QueryInterface(iid, out);
        object->Release();
        return hr;
    }
    HRESULT STDMETHODCALLTYPE LockServer(BOOL) override { return S_OK; }

  private:
    bool event_;
};

std::wstring guid_text(const CLSID& clsid) {
    wchar_t text[64];
    StringFromGUID2(clsid, text, 64);
    return text;
}

LONG set_value(const std::wstring& key, const wchar_t* name, const std::wstring& value) {
    return RegSetKeyValueW(HKEY_CLASSES_ROOT, key.c_str(), name, REG_SZ, value.c_str(),
                           static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
}

HRESULT register_class(const CLSID& clsid, const wchar_t* prog_id, const std::wstring& module) {
    const std::wstring key = L"CLSID\\" + guid_text(clsid);
    if (set_value(key, nullptr, std::wstring(prog_id) + L" (psguard test stand-in)") != 0 ||
        set_value(key + L"\\InprocServer32", nullptr, module) != 0 ||
        set_value(key + L"\\InprocServer32", L"ThreadingModel", L"Both") != 0 ||
        set_value(key + L"\\ProgID", nullptr, prog_id) != 0 ||
        set_value(std::wstring(prog_id) + L"\\CLSID", nullptr, guid_text(clsid)) != 0) {
        return E_ACCESSDENIED;  // (SELFREG_E_CLASS lives in olectl.h)
    }
    return S_OK;
}

void unregister_class(const CLSID& clsid, const wchar_t* prog_id) {
    RegDeleteTreeW(HKEY_CLASSES_ROOT, (L"CLSID\\" + guid_text(clsid)).c_str());
    RegDeleteTreeW(HKEY_CLASSES_ROOT, prog_id);
}

}  // namespace

extern "C" {

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID) {
    if (reason == DLL_PROCESS_ATTACH) {
        g_module = instance;
        DisableThreadLibraryCalls(instance);
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void** out) {
    *out = nullptr;
    if (clsid != kClientClsid && clsid != kEventClsid) {
        return CLASS_E_CLASSNOTAVAILABLE;
    }
    Factory* factory = new Factory(clsid == kEventClsid);
    const HRESULT hr = factory->QueryInterface(iid, out);
    factory->Release();
    return hr;
}

HRESULT WINAPI DllCanUnloadNow() {
    return g_objects == 0 ? S_OK : S_FALSE;
}

HRESULT WINAPI DllRegisterServer() {
    wchar_t module[MAX_PATH];
    GetModuleFileNameW(g_module, module, MAX_PATH);
    HRESULT hr = register_class(kClientClsid, kClientProgId, module);
    if (SUCCEEDED(hr)) {
        hr = register_class(kEventClsid, kEventProgId, module);
    }
    return hr;
}

HRESULT WINAPI DllUnregisterServer() {
    unregister_class(kClientClsid, kClientProgId);
    unregister_class(kEventClsid, kEventProgId);
    return S_OK;
}

}  // extern "C"
