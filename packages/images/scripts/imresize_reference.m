% Reference values for packages/predict's imresize and crop resampling,
% computed independently of the TypeScript code: each 1-D resampling is a
% dense out×(in+2P) matrix over an explicitly padded signal (symmetric:
% mirrored with the edge repeated, as MATLAB's imresize; replicate: edge
% copied, as vl_imreadjpeg), rows normalised, applied as Wr * A * Wc'.
% Run from this folder:  octave-cli imresize_reference.m
% Writes ../fixtures/imresize-reference.json.

1;

function f = kern(name, x)
  a = abs(x);
  switch name
    case {'nearest', 'box'}
      f = double(x >= -0.5 & x < 0.5);
    case 'bilinear'
      f = max(0, 1 - a);
    case 'bicubic'
      f = (1.5*a.^3 - 2.5*a.^2 + 1) .* (a <= 1) + (-0.5*a.^3 + 2.5*a.^2 - 4*a + 2) .* (a > 1 & a <= 2);
    case {'lanczos2', 'lanczos3'}
      L = str2double(name(end));
      f = ones(size(x));
      nz = x ~= 0;
      f(nz) = L * sin(pi*x(nz)) .* sin(pi*x(nz)/L) ./ (pi^2 * x(nz).^2);
      f(a >= L) = 0;
  end
end

function w = kwidth(name)
  switch name
    case {'nearest', 'box'}, w = 1;
    case 'bilinear', w = 2;
    case {'bicubic', 'lanczos2'}, w = 4;
    case 'lanczos3', w = 6;
  end
end

% Resample the rows of A (n×m) to nout rows: output i (1-based) at u = i/s + 0.5(1-1/s) + off.
function B = resample_rows(A, nout, s, off, name, aa, boundary)
  n = size(A, 1);
  P = 40;
  if strcmp(boundary, 'symmetric')
    % mirrored with the edge repeated, for any P (also P > n)
    base = [1:n, n:-1:1];
    full = (1-P):(n+P);
    idx = base(mod(full - 1, 2*n) + 1);
  else
    full = (1-P):(n+P);
    idx = min(max(full, 1), n);
  end
  Apad = A(idx, :);
  W = zeros(nout, numel(full));
  for i = 1:nout
    u = i/s + 0.5*(1 - 1/s) + off;
    if s < 1 && aa
      W(i, :) = s * kern(name, s * (u - full));
    else
      W(i, :) = kern(name, u - full);
    end
    W(i, :) = W(i, :) / sum(W(i, :));
  end
  B = W * Apad;
end

function out = resize2(A, sz, sc, off, name, aa, boundary)
  C = size(A, 3);
  out = zeros(sz(1), sz(2), C);
  for c = 1:C
    T = resample_rows(A(:, :, c), sz(1), sc(1), off(1), name, aa, boundary);
    out(:, :, c) = resample_rows(T', sz(2), sc(2), off(2), name, aa, boundary)';
  end
end

function A = test_image(h, w, c)
  [J, I, K] = meshgrid(1:w, 1:h, 1:c);
  A = mod(I * 37 + J * 11 + K * 53 + I .* J * 7, 256);
end

cases = {
  % h w c   out      method      aa  boundary     crop: [scale offset] per axis (empty: plain)
  {5, 7, 1, [3 4],   'bicubic',  1, 'symmetric', []},
  {5, 7, 1, [9 11],  'bicubic',  1, 'symmetric', []},
  {5, 7, 1, [3 4],   'bicubic',  0, 'symmetric', []},
  {6, 4, 3, [5 7],   'bicubic',  1, 'symmetric', []},
  {5, 7, 1, [4 12],  'bilinear', 1, 'symmetric', []},
  {9, 8, 1, [2 3],   'bilinear', 1, 'symmetric', []},
  {5, 7, 1, [3 10],  'nearest',  0, 'symmetric', []},
  {5, 7, 1, [2 3],   'box',      1, 'symmetric', []},
  {5, 7, 1, [8 5],   'lanczos3', 1, 'symmetric', []},
  {5, 7, 1, [8 3],   'lanczos2', 1, 'symmetric', []},
  {3, 2, 1, [12 9],  'bicubic',  1, 'symmetric', []},
  {10, 8, 3, [4 4],  'bicubic',  1, 'replicate', [4/7 2; 4/7 1]},
  {10, 8, 1, [6 6],  'bilinear', 1, 'replicate', [6/8 1; 6/6 1]},
  % the crops preprocess takes (vl_imreadjpeg, centred): cropSize 0.875 keeping the aspect; the whole image squashed
  {10, 8, 3, [4 4],  'bicubic',  1, 'replicate', [4/7 1; 4/7 0]},
  {10, 8, 3, [4 4],  'bicubic',  1, 'replicate', [4/10 0; 4/8 0]},
};

fid = fopen('../fixtures/imresize-reference.json', 'w');
fprintf(fid, '{\n  "about": "Independent float64 references for imresize/crop resampling, made by packages/images/scripts/imresize_reference.m (GNU Octave %s). input: row-major [h, w, c] values of test_image; output: row-major [out(1), out(2), c]. crop: per axis [scale, offset] (0-based input coordinate of the crop start), replicate boundary.",\n  "cases": [\n', version());
for k = 1:numel(cases)
  cs = cases{k};
  [h, w, c, sz, name, aa, boundary, crop] = cs{:};
  A = test_image(h, w, c);
  if isempty(crop)
    out = resize2(A, sz, sz ./ [h w], [0 0], name, aa, boundary);
  else
    out = resize2(A, sz, crop(:, 1)', crop(:, 2)', name, aa, boundary);
  end
  rowmajor = @(X) reshape(permute(X, [3 2 1]), 1, []);
  fprintf(fid, '    {"height": %d, "width": %d, "channels": %d, "size": [%d, %d], "method": "%s", "antialiasing": %s, "boundary": "%s", ', ...
    h, w, c, sz(1), sz(2), name, mat2str(logical(aa)), boundary);
  if isempty(crop)
    fprintf(fid, '"crop": null, ');
  else
    fprintf(fid, '"crop": [[%.17g, %.17g], [%.17g, %.17g]], ', crop(1, 1), crop(1, 2), crop(2, 1), crop(2, 2));
  end
  fprintf(fid, '"input": [%s], ', strjoin(arrayfun(@(v) sprintf('%.17g', v), rowmajor(A), 'UniformOutput', false), ', '));
  fprintf(fid, '"output": [%s]}', strjoin(arrayfun(@(v) sprintf('%.17g', v), rowmajor(out), 'UniformOutput', false), ', '));
  if k < numel(cases), fprintf(fid, ',\n'); else fprintf(fid, '\n'); end
end
fprintf(fid, '  ]\n}\n');
fclose(fid);
