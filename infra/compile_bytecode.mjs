// Compiles every module under a directory to bytecode with Pyodide, CPython built for
// WebAssembly: the same compiler, and so the same bytecode, as the CPython of its version.
// Usage: node infra/compile_bytecode.mjs <directory>
// Prints "<cache tag> <magic number>" of what it wrote; fails if the directory is missing.
import { existsSync } from "node:fs";
import path from "node:path";
import { loadPyodide } from "pyodide";

const directory = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || !existsSync(directory)) {
  console.error("usage: node compile_bytecode.mjs <directory>");
  process.exit(2);
}
const pyodide = await loadPyodide(); // from node_modules: no network
pyodide.FS.mkdirTree("/asset");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: directory }, "/asset");
const written = pyodide.runPython(`
import compileall, importlib.util, py_compile, sys
# Hash-based and unchecked: the asset's files do not keep their modification times.
compileall.compile_dir("/asset", quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
f"{sys.implementation.cache_tag} {importlib.util.MAGIC_NUMBER.hex()}"
`);
console.log(written);
