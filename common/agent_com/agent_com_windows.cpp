// The agent's automation objects, late-bound: CLSIDFromProgID, CoCreateInstance, then
// GetIDsOfNames and Invoke for every member, as a script would. Each operation runs on a thread
// of its own with its own (single-threaded) apartment; the caller waits at most the timeout.
#include <atomic>
#include <functional>
#include <future>
#include <thread>

#include "agent_com/agent_com.hpp"
#include "platform/com_values.hpp"

namespace psguard {
namespace {

constexpr const char* kClientProgId = "Altiris.AeXNSClient";
constexpr const char* kEventProgId = "Altiris.AeXNSEvent";
constexpr const char* kPackageServerAgent = "Altiris.AeXNSCPkgSvr";
constexpr std::size_t kMaxPackages = 100000;  // a collection that never ends is a broken agent

// "Class not registered (0x80040154)".
std::string hresult_text(HRESULT hr) {
    const std::string message = system_message(static_cast<DWORD>(hr));
    return (message.empty() ? std::string("error") : message) + " (" + format_hresult(hr) + ")";
}

// A failed COM step, thrown inside the worker thread and turned into a ComOutcome at its end.
struct ComError {
    ComFailure failure;
    HRESULT hr;
    std::string message;
};

[[noreturn]] void throw_failed(HRESULT hr, const std::string& what, std::string detail = {}) {
    throw ComError{
        ComFailure::call_failed, hr,
        what + ": " +
            (detail.empty() ? hresult_text(hr) : detail + " (" + format_hresult(hr) + ")")};
}

// One late-bound object, named by the path that reached it (for messages).
class Dispatch {
  public:
    Dispatch(ComPtr<IDispatch> object, std::string path)
        : object_(std::move(object)), path_(std::move(path)) {}

    static Dispatch create(const char* prog_id) {
        CLSID clsid;
        HRESULT hr = CLSIDFromProgID(to_wide(prog_id).c_str(), &clsid);
        if (FAILED(hr)) {
            throw ComError{
                ComFailure::not_registered, hr,
                std::string(prog_id) + " is not registered on this host: " + hresult_text(hr)};
        }
        ComPtr<IDispatch> object;
        hr = CoCreateInstance(clsid, nullptr, CLSCTX_INPROC_SERVER | CLSCTX_LOCAL_SERVER,
                              IID_IDispatch, reinterpret_cast<void**>(object.GetAddressOf()));
        if (hr == REGDB_E_CLASSNOTREG) {
            throw ComError{
                ComFailure::not_registered, hr,
                std::string(prog_id) + " is not registered on this host: " + hresult_text(hr)};
        }
        if (FAILED(hr) || !object) {
            throw_failed(hr, std::string("CoCreateInstance(") + prog_id + ")");
        }
        return Dispatch(std::move(object), prog_id);
    }

    // A method call or property get (as VB calls both): the arguments in call order.
    Variant call(const char* member, std::vector<Variant> args = {}) {
        return invoke(member, DISPATCH_METHOD | DISPATCH_PROPERTYGET, args);
    }
    void put(const char* member, Variant value) {
        std::vector<Variant> args;
        args.push_back(std::move(value));
        invoke(member, DISPATCH_PROPERTYPUT, args);
    }
    // A member whose value is an object.
    Dispatch object(const char* member, std::vector<Variant> args = {},
                    const std::string& shown_args = {}) {
        Variant value = call(member, std::move(args));
        const std::string path = path_ + "." + member + shown_args;
        return Dispatch(as_dispatch(*value.get(), path), path);
    }

    // A member that may be missing on some agent versions: nullopt when unknown.
    std::optional<Variant> get_if_known(const char* member) {
        if (!id_of(member)) {
            return std::nullopt;
        }
        return call(member);
    }

    IDispatch* get() const { return object_.Get(); }
    const std::string& path() const { return path_; }

    static ComPtr<IDispatch> as_dispatch(const VARIANT& value, const std::string& path) {
        ComPtr<IDispatch> object;
        if (value.vt == VT_DISPATCH && value.pdispVal != nullptr) {
            object = value.pdispVal;
        } else if (value.vt == VT_UNKNOWN && value.punkVal != nullptr) {
            value.punkVal->QueryInterface(IID_IDispatch,
                                          reinterpret_cast<void**>(object.GetAddressOf()));
        }
        if (!object) {
            throw_failed(E_NOINTERFACE, path, "did not return an object");
        }
        return object;
    }

  private:
    std::optional<DISPID> id_of(const char* member) {
        Bstr name(member);
        LPOLESTR names[] = {name.get()};
        DISPID id = DISPID_UNKNOWN;
        if (FAILED(object_->GetIDsOfNames(IID_NULL, names, 1, LOCALE_USER_DEFAULT, &id))) {
            return std::nullopt;
        }
        return id;
    }

    Variant invoke(const char* member, WORD flags, std::vector<Variant>& args) {
        const std::string what = path_ + "." + member;
        Bstr name(member);
        LPOLESTR names[] = {name.get()};
        DISPID id = DISPID_UNKNOWN;
        HRESULT hr = object_->GetIDsOfNames(IID_NULL, names, 1, LOCALE_USER_DEFAULT, &id);
        if (FAILED(hr)) {
            throw_failed(hr, what, "no such member");
        }
        // IDispatch takes the arguments last first; the copies are shallow (args owns them).
        std::vector<VARIANTARG> reversed;
        for (auto it = args.rbegin(); it != args.rend(); ++it) {
            reversed.push_back(*it->get());
        }
        DISPID put_id = DISPID_PROPERTYPUT;
        DISPPARAMS params{reversed.data(), nullptr, static_cast<UINT>(reversed.size()), 0};
        if (flags == DISPATCH_PROPERTYPUT) {
            params.rgdispidNamedArgs = &put_id;
            params.cNamedArgs = 1;
        }
        EXCEPINFO info{};
        UINT bad_argument = 0;
        Variant result;
        hr = object_->Invoke(id, IID_NULL, LOCALE_USER_DEFAULT, flags, &params,
                             flags == DISPATCH_PROPERTYPUT ? nullptr : result.out(), &info,
                             &bad_argument);
        if (hr == DISP_E_EXCEPTION) {
            // The object raised an error: its own code and text say more than DISP_E_EXCEPTION.
            if (info.pfnDeferredFillIn != nullptr) {
                info.pfnDeferredFillIn(&info);
            }
            const HRESULT raised = info.scode != 0 ? info.scode : hr;
            std::string text =
                info.bstrDescription != nullptr
                    ? to_utf8({info.bstrDescription, SysStringLen(info.bstrDescription)})
                    : std::string();
            SysFreeString(info.bstrSource);
            SysFreeString(info.bstrDescription);
            SysFreeString(info.bstrHelpFile);
            throw_failed(raised, what, text);
        }
        if (FAILED(hr)) {
            throw_failed(hr, what);
        }
        return result;
    }

    ComPtr<IDispatch> object_;
    std::string path_;
};

Dispatch package_server_agent(Dispatch& client) {
    Dispatch manager = client.object("ClientPolicyMgr");
    std::vector<Variant> args;
    args.push_back(Variant::of_string(kPackageServerAgent));
    return manager.object("ClientAgent", std::move(args),
                          std::string("(\"") + kPackageServerAgent + "\")");
}

// A field as text: strings as they are, dates as ISO 8601 (no zone: the agent's local time),
// anything else as VariantChangeType renders it.
std::string text_of(const VARIANT& value) {
    if (value.vt == VT_EMPTY || value.vt == VT_NULL) {
        return {};
    }
    if (value.vt == VT_BSTR) {
        return value.bstrVal == nullptr ? std::string()
                                        : to_utf8({value.bstrVal, SysStringLen(value.bstrVal)});
    }
    if (value.vt == VT_DATE) {
        SYSTEMTIME t{};
        if (VariantTimeToSystemTime(value.date, &t) != 0) {
            char text[32];
            std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", t.wYear, t.wMonth,
                          t.wDay, t.wHour, t.wMinute, t.wSecond);
            return text;
        }
    }
    Variant converted;
    if (FAILED(VariantChangeTypeEx(converted.out(), const_cast<VARIANT*>(&value), LOCALE_INVARIANT,
                                   VARIANT_ALPHABOOL, VT_BSTR))) {
        return {};
    }
    return text_of(*converted.get());
}

bool flag_of(const VARIANT& value) {
    Variant converted;
    if (FAILED(VariantChangeTypeEx(converted.out(), const_cast<VARIANT*>(&value), LOCALE_INVARIANT,
                                   0, VT_BOOL))) {
        return false;
    }
    return converted.get()->boolVal != VARIANT_FALSE;
}

AgentPackage read_package(Dispatch& package) {
    AgentPackage out;
    const std::pair<const char*, std::string*> texts[] = {{"Name", &out.name},
                                                          {"Status", &out.status},
                                                          {"NS", &out.ns},
                                                          {"PolicyId", &out.policy_id},
                                                          {"PreviousStatus", &out.previous_status},
                                                          {"Time", &out.time},
                                                          {"PackageOriginator", &out.originator},
                                                          {"PackageVersion", &out.version},
                                                          {"PackageSize", &out.size},
                                                          {"CleanupAfter", &out.cleanup_after},
                                                          {"Id", &out.id}};
    for (const auto& [member, field] : texts) {
        if (auto value = package.get_if_known(member)) {
            *field = text_of(*value->get());
        }
    }
    if (auto value = package.get_if_known("IsCustomLocation")) {
        out.is_custom_location = flag_of(*value->get());
    }
    return out;
}

// Every element of a collection, as For Each sees it: an object with _NewEnum, or an array.
std::vector<ComPtr<IDispatch>> elements_of(const VARIANT& collection, const std::string& path) {
    std::vector<ComPtr<IDispatch>> elements;
    if ((collection.vt & VT_ARRAY) != 0 && collection.parray != nullptr) {
        SAFEARRAY* array = collection.parray;
        LONG low = 0;
        LONG high = -1;
        SafeArrayGetLBound(array, 1, &low);
        SafeArrayGetUBound(array, 1, &high);
        for (LONG i = low; i <= high && elements.size() < kMaxPackages; ++i) {
            if ((collection.vt & VT_TYPEMASK) == VT_DISPATCH) {
                ComPtr<IDispatch> object;  // SafeArrayGetElement adds the reference it owns
                SafeArrayGetElement(array, &i, object.GetAddressOf());
                if (!object) {
                    throw_failed(E_POINTER, path, "holds an empty element");
                }
                elements.push_back(std::move(object));
                continue;
            }
            Variant element;
            SafeArrayGetElement(array, &i, element.out());
            elements.push_back(Dispatch::as_dispatch(*element.get(), path));
        }
        return elements;
    }
    Dispatch object(Dispatch::as_dispatch(collection, path), path);
    DISPPARAMS none{nullptr, nullptr, 0, 0};
    Variant enumerator;
    HRESULT hr = object.get()->Invoke(DISPID_NEWENUM, IID_NULL, LOCALE_USER_DEFAULT,
                                      DISPATCH_METHOD | DISPATCH_PROPERTYGET, &none,
                                      enumerator.out(), nullptr, nullptr);
    if (FAILED(hr)) {
        throw_failed(hr, path + "._NewEnum");
    }
    ComPtr<IEnumVARIANT> items;
    IUnknown* unknown = enumerator.get()->vt == VT_UNKNOWN    ? enumerator.get()->punkVal
                        : enumerator.get()->vt == VT_DISPATCH ? enumerator.get()->pdispVal
                                                              : nullptr;
    if (unknown == nullptr ||
        FAILED(unknown->QueryInterface(IID_IEnumVARIANT,
                                       reinterpret_cast<void**>(items.GetAddressOf())))) {
        throw_failed(E_NOINTERFACE, path + "._NewEnum", "is not an IEnumVARIANT");
    }
    while (elements.size() < kMaxPackages) {
        Variant element;
        ULONG fetched = 0;
        hr = items->Next(1, element.out(), &fetched);
        if (FAILED(hr)) {
            throw_failed(hr, path + " enumeration");
        }
        if (hr != S_OK || fetched == 0) {
            break;
        }
        elements.push_back(Dispatch::as_dispatch(*element.get(), path));
    }
    return elements;
}

ComOutcome outcome_of(const ComError& error) {
    return {error.failure, static_cast<std::int32_t>(error.hr), error.message};
}

class WindowsAgentAutomation final : public AgentAutomation {
  public:
    explicit WindowsAgentAutomation(std::chrono::milliseconds timeout) : timeout_(timeout) {}

    ComOutcome resend_package_status() override {
        return run<ComOutcome>("ResendPackagesStatus", [] {
            Dispatch client = Dispatch::create(kClientProgId);
            Dispatch agent = package_server_agent(client);
            agent.call("RefreshPackages");
            agent.call("ResendPackagesStatus");
            return ComOutcome{};
        });
    }

    AgentPackagesRead read_packages() override {
        return run<AgentPackagesRead>("Packages", [] {
            Dispatch client = Dispatch::create(kClientProgId);
            Dispatch agent = package_server_agent(client);
            Variant collection = agent.call("Packages");
            AgentPackagesRead read;
            const std::string path = agent.path() + ".Packages";
            for (auto& element : elements_of(*collection.get(), path)) {
                Dispatch package(std::move(element), path);
                read.packages.push_back(read_package(package));
            }
            return read;
        });
    }

    ComOutcome refresh_policies() override {
        return run<ComOutcome>("UpdatePolicies", [] {
            Dispatch client = Dispatch::create(kClientProgId);
            std::vector<Variant> args;
            args.push_back(Variant::of_int(1));  // ignore blockouts
            client.call("UpdatePolicies", std::move(args));
            client.object("ClientPolicyMgr").call("Refresh");
            return ComOutcome{};
        });
    }

    ComOutcome send_event(const NseMessage& message) override {
        return run<ComOutcome>("AeXNSEvent", [message] {
            Dispatch event = Dispatch::create(kEventProgId);
            event.put("To", Variant::of_string(message.to));
            event.put("Priority", Variant::of_int(message.priority));
            std::vector<Variant> args;
            args.push_back(Variant::of_string(message.data_class));
            Dispatch data_class = event.object("AddDataClass", std::move(args));
            args.clear();
            args.push_back(Variant::of_dispatch(data_class.get()));
            Dispatch block = event.object("AddDataBlock", std::move(args));
            for (const auto& row : message.rows) {
                Dispatch added = block.object("AddRow");
                for (std::size_t i = 0; i < row.size(); ++i) {
                    std::vector<Variant> field;
                    field.push_back(Variant::of_int(static_cast<LONG>(i)));
                    field.push_back(Variant::of_string(row[i]));
                    added.call("SetField", std::move(field));
                }
            }
            event.call("SendQueued");
            return ComOutcome{};
        });
    }

  private:
    // Runs `work` on a new thread in its own apartment; gives up after the timeout (the thread
    // is left to finish, and `busy_` refuses new calls until it has).
    template <typename T>
    T run(const char* what, std::function<T()> work) {
        T failed{};
        if (busy_->exchange(true)) {
            set_outcome(failed, {ComFailure::timed_out, 0,
                                 std::string("not called: an earlier call into the Symantec "
                                             "agent has not returned yet (") +
                                     what + ")"});
            return failed;
        }
        auto promise = std::make_shared<std::promise<T>>();
        auto result = promise->get_future();
        std::thread([work = std::move(work), promise, busy = busy_] {
            T value{};
            const HRESULT init = CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
            if (FAILED(init)) {
                set_outcome(value, {ComFailure::call_failed, static_cast<std::int32_t>(init),
                                    "CoInitializeEx: " + hresult_text(init)});
            } else {
                try {
                    value = work();
                } catch (const ComError& error) {
                    set_outcome(value, outcome_of(error));
                } catch (const std::exception& error) {
                    set_outcome(value, {ComFailure::call_failed, E_FAIL, error.what()});
                }
                CoUninitialize();  // every interface of `work` is released by now
            }
            busy->store(false);
            promise->set_value(std::move(value));
        }).detach();
        if (result.wait_for(timeout_) != std::future_status::ready) {
            set_outcome(failed, {ComFailure::timed_out, static_cast<std::int32_t>(RPC_E_TIMEOUT),
                                 std::string(what) + ": the Symantec agent did not answer within " +
                                     std::to_string(timeout_.count() / 1000) + " s"});
            return failed;
        }
        return result.get();
    }

    static void set_outcome(ComOutcome& target, ComOutcome outcome) { target = std::move(outcome); }
    static void set_outcome(AgentPackagesRead& target, ComOutcome outcome) {
        target.outcome = std::move(outcome);
        target.packages.clear();
    }

    std::chrono::milliseconds timeout_;
    std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

std::unique_ptr<AgentAutomation> make_agent_automation(std::chrono::milliseconds timeout) {
    return std::make_unique<WindowsAgentAutomation>(timeout);
}

}  // namespace psguard
