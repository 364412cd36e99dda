import CPJRT
import Foundation

// `PJRT_Plugin_*` and `PJRT_Event_*`: the plugin's attributes and the event protocol.

/// The attributes JAX reads: the StableHLO versions we accept (JAX serializes programs at
/// the smaller of its own current version and ours), and our version.
private final class PluginAttributes: @unchecked Sendable {
    static let shared = PluginAttributes()
    let storage = CStorage()
    let values: UnsafeMutablePointer<PJRT_NamedValue>
    let count: Int

    private init() {
        let storage = self.storage
        var list: [PJRT_NamedValue] = []
        func named(_ name: String, _ fill: (inout PJRT_NamedValue) -> Void) {
            var value = PJRT_NamedValue()
            value.struct_size = PJRT_NamedValue_STRUCT_SIZE
            let text = storage.string(name)
            value.name = text.pointer
            value.name_size = text.count
            fill(&value)
            list.append(value)
        }
        let current = storage.array(PluginVersion.stablehloCurrent)
        let minimum = storage.array(PluginVersion.stablehloMinimum)
        named("stablehlo_current_version") {
            $0.type = PJRT_NamedValue_kInt64List
            $0.int64_array_value = UnsafePointer(current)
            $0.value_size = PluginVersion.stablehloCurrent.count
        }
        named("stablehlo_minimum_version") {
            $0.type = PJRT_NamedValue_kInt64List
            $0.int64_array_value = UnsafePointer(minimum)
            $0.value_size = PluginVersion.stablehloMinimum.count
        }
        let version = storage.string(PluginVersion.current)
        named("nvgpu_version") {
            $0.type = PJRT_NamedValue_kString
            $0.string_value = version.pointer
            $0.value_size = version.count
        }
        values = storage.array(list)
        count = list.count
    }
}

@_cdecl("nvgpu_PJRT_Plugin_Initialize")
func pluginInitialize(_ args: UnsafeMutablePointer<PJRT_Plugin_Initialize_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Plugin_Initialize") {
        _ = try arguments(args, "PJRT_Plugin_Initialize", needed: sizeThrough(\PJRT_Plugin_Initialize_Args.extension_start))
    }
}

@_cdecl("nvgpu_PJRT_Plugin_Attributes")
func pluginAttributes(_ args: UnsafeMutablePointer<PJRT_Plugin_Attributes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Plugin_Attributes") {
        let a = try arguments(args, "PJRT_Plugin_Attributes", needed: sizeThrough(\PJRT_Plugin_Attributes_Args.attributes))
        a.pointee.attributes = UnsafePointer(PluginAttributes.shared.values)
        if hasField(a, \PJRT_Plugin_Attributes_Args.num_attributes) {
            a.pointee.num_attributes = PluginAttributes.shared.count
        }
    }
}

private func event(_ handle: OpaquePointer?) throws -> PluginEvent {
    try Handle.object(handle, as: PluginEvent.self, "event")
}

@_cdecl("nvgpu_PJRT_Event_Destroy")
func eventDestroy(_ args: UnsafeMutablePointer<PJRT_Event_Destroy_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Event_Destroy") {
        let a = try arguments(args, "PJRT_Event_Destroy", needed: sizeThrough(\PJRT_Event_Destroy_Args.event))
        Handle.release(a.pointee.event, as: PluginEvent.self)
    }
}

@_cdecl("nvgpu_PJRT_Event_IsReady")
func eventIsReady(_ args: UnsafeMutablePointer<PJRT_Event_IsReady_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Event_IsReady") {
        let a = try arguments(args, "PJRT_Event_IsReady", needed: sizeThrough(\PJRT_Event_IsReady_Args.is_ready))
        a.pointee.is_ready = try event(a.pointee.event).isReady
    }
}

@_cdecl("nvgpu_PJRT_Event_Error")
func eventError(_ args: UnsafeMutablePointer<PJRT_Event_Error_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    do {
        let a = try arguments(args, "PJRT_Event_Error", needed: sizeThrough(\PJRT_Event_Error_Args.event))
        return try event(a.pointee.event).error?.cError()
    } catch {
        return PluginFailure.invalidArgument("PJRT_Event_Error: \(error)").cError()
    }
}

@_cdecl("nvgpu_PJRT_Event_Await")
func eventAwait(_ args: UnsafeMutablePointer<PJRT_Event_Await_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    do {
        let a = try arguments(args, "PJRT_Event_Await", needed: sizeThrough(\PJRT_Event_Await_Args.event))
        return try event(a.pointee.event).wait()?.cError()
    } catch {
        return PluginFailure.invalidArgument("PJRT_Event_Await: \(error)").cError()
    }
}

/// Carries a C callback and its argument into a Swift closure.
private struct OnReadyCall: @unchecked Sendable {
    var callback: PJRT_Event_OnReadyCallback
    var userArgument: UnsafeMutableRawPointer?
}

@_cdecl("nvgpu_PJRT_Event_OnReady")
func eventOnReady(_ args: UnsafeMutablePointer<PJRT_Event_OnReady_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Event_OnReady") {
        let a = try arguments(args, "PJRT_Event_OnReady", needed: sizeThrough(\PJRT_Event_OnReady_Args.user_arg))
        guard let callback = a.pointee.callback else { throw PluginFailure.invalidArgument("null callback") }
        let call = OnReadyCall(callback: callback, userArgument: a.pointee.user_arg)
        try event(a.pointee.event).onReady { failure in
            call.callback(failure?.cError(), call.userArgument)
        }
    }
}

@_cdecl("nvgpu_PJRT_Event_Create")
func eventCreate(_ args: UnsafeMutablePointer<PJRT_Event_Create_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Event_Create") {
        let a = try arguments(args, "PJRT_Event_Create", needed: sizeThrough(\PJRT_Event_Create_Args.event))
        a.pointee.event = Handle.retained(PluginEvent())
    }
}

@_cdecl("nvgpu_PJRT_Event_Set")
func eventSet(_ args: UnsafeMutablePointer<PJRT_Event_Set_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Event_Set") {
        let a = try arguments(args, "PJRT_Event_Set", needed: sizeThrough(\PJRT_Event_Set_Args.error_message_size))
        let target = try event(a.pointee.event)
        if a.pointee.error_code == PJRT_Error_Code_OK {
            target.complete()
        } else {
            let message = a.pointee.error_message.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: a.pointee.error_message_size), as: UTF8.self)
            } ?? ""
            target.complete(PluginFailure(a.pointee.error_code, message))
        }
    }
}
