// Command crdcheck validates custom resources against their CustomResourceDefinitions with the Kubernetes API
// server's own code (k8s.io/apiextensions-apiserver): the same steps a create request goes through in
// pkg/apiserver/customresource_handler.go and pkg/registry/customresource/strategy.go:
//
//  1. decode, apply the schema's defaults (structural defaulting),
//  2. prune unknown fields and report them, as strict field validation (kubectl's default) does
//     (unstructuredSchemaCoercer.apply: objectmeta.GetObjectMetaWithOptions, pruning.PruneWithOptions,
//     defaulting.PruneNonNullableNullsWithoutDefaults, objectmeta.CoerceWithOptions),
//  3. customResourceStrategy.Validate: type meta, ObjectMeta, the OpenAPI schema, embedded resources,
//     x-kubernetes-list-type, then the x-kubernetes-validations CEL rules with the runtime cost budget.
//
// Usage: crdcheck -crds DIR [-prefer FILE,...] PATH... ; PATH is a YAML file or a folder of them.
// It prints one JSON object per document on stdout: file, index, apiVersion, kind, name, namespace,
// crd (the CRD file used, empty when no CRD serves that kind and version) and errors ([]{path, message}).
// A file that cannot be read as YAML (as kubectl reads it: sigs.k8s.io/yaml YAMLToJSON) is one object with
// index -1, no kind or crd, and one error at the path "<file>"; the other files are still checked.
// CRD files named in -prefer win when several files define the same group and kind (e.g. the Gateway API
// CRDs bundled with Linkerd); folders named master-* (unreleased schemas) are skipped.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

type version struct {
	file            string
	structural      *structuralschema.Structural
	preserveUnknown bool
	validate        func(ctx context.Context, u *unstructured.Unstructured) field.ErrorList
}

type issue struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

type verdict struct {
	File       string  `json:"file"`
	Index      int     `json:"index"`
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	Namespace  string  `json:"namespace,omitempty"`
	CRD        string  `json:"crd"`
	Errors     []issue `json:"errors"`
}

func main() {
	crdsDir := flag.String("crds", "", "folder of CustomResourceDefinition YAML files")
	prefer := flag.String("prefer", "", "comma-separated CRD files (relative to -crds) that win on a conflict")
	flag.Parse()
	if *crdsDir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: crdcheck -crds DIR [-prefer FILE,...] PATH...")
		os.Exit(2)
	}
	preferred := map[string]bool{}
	for _, f := range strings.Split(*prefer, ",") {
		if f != "" {
			preferred[f] = true
		}
	}
	versions, err := loadCRDs(*crdsDir, preferred)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crdcheck:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for _, p := range flag.Args() {
		files, err := yamlFiles(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "crdcheck:", err)
			os.Exit(2)
		}
		for _, f := range files {
			docs, err := readDocuments(f)
			if err != nil {
				// a file kubectl cannot read (a YAML syntax error, a key YAMLToJSON refuses, NaN): kubectl apply -f
				// refuses the whole file before sending any of it, so one line for the file, with the error at
				// the path "<file>" and index -1, and the run goes on with the other files
				if err := enc.Encode(verdict{File: f, Index: -1, Errors: []issue{{"<file>", err.Error()}}}); err != nil {
					fmt.Fprintln(os.Stderr, "crdcheck:", err)
					os.Exit(2)
				}
				continue
			}
			for i, doc := range docs {
				if doc == nil {
					continue
				}
				if err := enc.Encode(check(versions, f, i, doc)); err != nil {
					fmt.Fprintln(os.Stderr, "crdcheck:", err)
					os.Exit(2)
				}
			}
		}
	}
}

func check(versions map[schema.GroupVersionKind]*version, file string, index int, doc map[string]interface{}) verdict {
	u := &unstructured.Unstructured{Object: doc}
	v := verdict{File: file, Index: index, APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Name: u.GetName(), Namespace: u.GetNamespace(), Errors: []issue{}}
	gv, err := schema.ParseGroupVersion(u.GetAPIVersion())
	if err != nil {
		v.Errors = append(v.Errors, issue{"apiVersion", err.Error()})
		return v
	}
	crd := versions[gv.WithKind(u.GetKind())]
	if crd == nil {
		return v // not a kind of the pinned CRDs: not ours to judge
	}
	v.CRD = crd.file
	add := func(errs field.ErrorList) {
		for _, e := range errs {
			v.Errors = append(v.Errors, issue{e.Field, e.ErrorBody()})
		}
	}

	// decoding: defaults first (the request decoder defaults), then the schema coercer prunes
	structuraldefaulting.Default(u.Object, crd.structural)
	objectMeta, foundMeta, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		v.Errors = append(v.Errors, issue{"metadata", err.Error()})
		return v
	}
	unknown := append([]string{}, metaUnknown...)
	if !crd.preserveUnknown {
		unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, crd.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, crd.structural)
	}
	if ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, crd.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true}); ferr != nil {
		add(field.ErrorList{ferr})
		return v
	} else {
		unknown = append(unknown, paths...)
	}
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, objectMeta); err != nil {
			v.Errors = append(v.Errors, issue{"metadata", err.Error()})
			return v
		}
	}
	sort.Strings(unknown)
	for _, p := range unknown {
		// strict field validation (kubectl apply --validate=strict, the default) rejects the request
		v.Errors = append(v.Errors, issue{p, fmt.Sprintf("unknown field %q", p)})
	}
	add(crd.validate(context.Background(), u))
	return v
}

func loadCRDs(dir string, preferred map[string]bool) (map[schema.GroupVersionKind]*version, error) {
	files, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	out := map[schema.GroupVersionKind]*version{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		if strings.HasPrefix(filepath.Base(filepath.Dir(f)), "master-") {
			continue
		}
		docs, err := readDocuments(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, doc := range docs {
			if doc == nil || doc["kind"] != "CustomResourceDefinition" {
				continue
			}
			raw, _ := json.Marshal(doc)
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := json.Unmarshal(raw, crd); err != nil {
				return nil, fmt.Errorf("%s: %w", rel, err)
			}
			apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
			for _, ver := range crd.Spec.Versions {
				if !ver.Served {
					continue
				}
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: ver.Name, Kind: crd.Spec.Names.Kind}
				if prev := out[gvk]; prev != nil && (preferred[prev.file] || !preferred[rel]) {
					continue
				}
				v, err := newVersion(rel, crd, ver, gvk)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", rel, gvk, err)
				}
				out[gvk] = v
			}
		}
	}
	return out, nil
}

// newVersion builds what customresource_handler.go's getOrCreateServingInfoFor builds for one version.
func newVersion(file string, crd *apiextensionsv1.CustomResourceDefinition, ver apiextensionsv1.CustomResourceDefinitionVersion, gvk schema.GroupVersionKind) (*version, error) {
	if ver.Schema == nil || ver.Schema.OpenAPIV3Schema == nil {
		return nil, errors.New("no schema")
	}
	internal := &apiextensionsinternal.CustomResourceValidation{}
	if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(ver.Schema, internal, nil); err != nil {
		return nil, err
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	s = s.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(s); err != nil {
		return nil, err
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
	if err != nil {
		return nil, err
	}
	namespaced := crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	celValidator := cel.NewValidator(s, true, celconfig.PerCallLimit) // as customresource.NewStrategy
	return &version{
		file:            file,
		structural:      s,
		preserveUnknown: crd.Spec.PreserveUnknownFields,
		// customResourceStrategy.Validate (pkg/registry/customresource/strategy.go) and
		// customResourceValidator.Validate (validator.go), without the scale subresource (none of the pinned
		// kinds has one). The registry package itself is not imported: it pulls in etcd's client.
		validate: func(ctx context.Context, u *unstructured.Unstructured) field.ErrorList {
			var errs field.ErrorList
			if u.GetKind() != gvk.Kind || u.GetAPIVersion() != gvk.GroupVersion().String() {
				return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), u.GetAPIVersion(), "must be "+gvk.GroupVersion().String())}
			}
			// kubectl apply sends a namespaced object without a namespace to its context's namespace
			// ("default" here), and the API server fills it in or, for a cluster-scoped kind, clears it:
			// k8s.io/apiserver/pkg/registry/rest/meta.go EnsureObjectNamespaceMatchesRequestNamespace
			if !namespaced {
				u.SetNamespace("")
			} else if u.GetNamespace() == "" {
				u.SetNamespace("default")
			}
			errs = append(errs, apivalidation.ValidateObjectMetaAccessor(u, namespaced, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
			errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), validator)...)
			errs = append(errs, schemaobjectmeta.Validate(nil, u.Object, s, false)...)
			errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, s, u.Object)...)
			// hasBlockingErr: CEL rules are not run on an object with these errors
			for _, e := range errs {
				switch e.Type {
				case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
					return append(errs, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
				}
			}
			celErrs, _ := celValidator.Validate(ctx, nil, s, u.Object, nil, celconfig.RuntimeCELCostBudget)
			return append(errs, celErrs...)
		},
	}, nil
}

func yamlFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := filepath.Ext(f)
		if !d.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			files = append(files, f)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// readDocuments splits a YAML stream and decodes each document as the API server decodes a JSON body
// (whole numbers become int64, as in unstructured.UnstructuredJSONScheme).
func readDocuments(file string) ([]map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []map[string]interface{}
	for {
		chunk, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		js, err := yaml.YAMLToJSON(chunk)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(js)) == 0 || string(bytes.TrimSpace(js)) == "null" {
			docs = append(docs, nil)
			continue
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			// a document without kind or apiVersion: keep it so the count stays right
			m := map[string]interface{}{}
			if jerr := json.Unmarshal(js, &m); jerr != nil {
				return nil, err
			}
			docs = append(docs, m)
			continue
		}
		docs = append(docs, u.Object)
	}
}
