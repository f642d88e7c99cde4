"""The speed seam: every piece of code that exists only to make training faster.

The rest of the engine reads as the idea; this package holds the shortcuts, each
beside its *composite twin* (the plain formula it stands in for), and
tests/test_fused.py (and test_fused_recurrent.py) holds every shortcut and its
twin equal in value, gradient and gradient of gradient. benchmarks/RESULTS.md
gives each one's measured gain and the command that measured it; a shortcut
stays only while it earns 3% or more on a course workload.

- nodes.py: fused nodes, each one Function doing the work of several.
    `Linear` (x @ weight + bias, every Dense layer)      twin `linear_simple`
    `LinearRelu` (relu(x @ weight + bias), Dense relu)  twin `linear_relu_simple`
    `SparseSoftmaxCrossEntropy` (a classifier's loss)    twin `sparse_cross_entropy_simple`
    `tile_windows` (pooling windows side by side)        twin `sliding_windows`
- convolution.py: `Conv2D` (windows, im2col, product and bias as one node; the
  image's gradient worked out one kernel offset at a time, so col2im adds
  contiguous blocks)                                    twin `convolution_simple`
- recurrent.py: an LSTM step (the LSTM layer's, with Keras's default
  activations) as one node of the walk, `LSTMStep` (c and h from the gates of
  `LSTMGates`, products and activations); `RecurrentLinear`, x @ W + h @ U + b
                                                      twin `lstm_step_simple`
    `lstm_state_step` (the state [h, c] as one tensor; the LSTM layer's loop,
    `LSTM.run_steps`, also folds the bias into the kernel)
                                                      twin `lstm_state_step_simple`
    `transposed_copy` (recurrent_kernel.T row-ordered, for backward's product)
                                                      twin: the transposed view
- allocation.py: `keep_freed_memory`, glibc malloc set (at import) to reuse the
  memory of the step before instead of new pages from the kernel; twin: glibc's
  defaults (TINYGRAD_EDU_MALLOC=default).
- blas_wait.py: `let_blas_threads_sleep`, OPENBLAS_THREAD_TIMEOUT=4 set (at import,
  before NumPy loads) so OpenBLAS's idle threads sleep instead of spinning on a core;
  twin: OpenBLAS's default (OPENBLAS_THREAD_TIMEOUT=28), measured by blas_wait.py.
- arrays.py: `reduce_axes`, a reduction over few entries per output (a 2x2 max
  pool) done as slices; twin `ufunc.reduce`.
- threads.py: how many BLAS threads each matrix product uses
  (`set_num_threads`, the TINYGRAD_EDU_NUM_THREADS environment variable); twin:
  `np.matmul` with the BLAS library's own thread count.

Nothing here is needed to understand training. The rest reaches it at a few
marked places: `functional.linear`, `Dense` with relu, `functional`'s conv2d and
pooling, `ops.MatMul` and `ops.Max`, the sparse cross-entropy loss and the LSTM layer;
`tinygrad_edu` exports `set_num_threads` and `get_num_threads`, and calls
`let_blas_threads_sleep` first, before anything imports NumPy.
"""
