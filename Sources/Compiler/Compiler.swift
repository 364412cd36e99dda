/// The compiler: pass manager, pipelines and the plugin registry (grows with issue 4).
public enum CompilerInfo { public static let version = "0.1.0" }
